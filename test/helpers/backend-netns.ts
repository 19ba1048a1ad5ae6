/**
 * HTTP backends in a network namespace the test makes, reached from this process over a veth pair: for
 * components that forward to pod addresses, which the API refuses to take on loopback. Each backend answers
 * with its name and what it was asked (JSON); one port serves a WebSocket echo. remove() kills the server by
 * PID and deletes the namespace and the host end of the pair by name.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';

export const HOST_ADDRESS = '198.18.251.1';
export const BACKEND_ADDRESS = '198.18.251.2';

/** Why the namespace cannot be made here; undefined when it can. */
export function backendNetnsMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (spawnSync('sh', ['-c', 'command -v ip && command -v nsenter']).status !== 0)
    return 'ip or nsenter missing';
  return undefined;
}

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

const SERVER = `
const http = require('node:http');
const { WebSocketServer } = require(process.argv[1]);
const [, , wsPort, ...specs] = process.argv;
let up = 0;
const ready = () => { if (++up === specs.length + 1) console.log('ready'); };
for (const spec of specs) {
  const [name, port] = spec.split(':');
  http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(JSON.stringify({
        name, url: req.url, method: req.method, host: req.headers.host,
        forwardedFor: req.headers['x-forwarded-for'], forwardedProto: req.headers['x-forwarded-proto'],
        forwardedHost: req.headers['x-forwarded-host'], authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString(),
      }));
    });
  }).listen(Number(port), '0.0.0.0', ready);
}
const ws = http.createServer((req, res) => { res.writeHead(426); res.end(); });
new WebSocketServer({ server: ws }).on('connection', (c) => c.on('message', (d) => c.send('echo:' + d)));
ws.listen(Number(wsPort), '0.0.0.0', ready);
`;

export class BackendNetns {
  readonly netns: string;
  private readonly hostLink: string;
  private server: ChildProcess | undefined;

  constructor(tag: string) {
    this.netns = `tb-${tag}-${process.pid}`;
    this.hostLink = `tb${tag.slice(0, 4)}${process.pid % 100000}`.slice(0, 15);
  }

  /** The PID of the process serving the backends (after start). */
  get pid(): number | undefined {
    return this.server?.pid;
  }

  /** The namespace, the veth pair and the servers: `backends` maps names to ports; `wsPort` echoes WebSockets. */
  async start(backends: Record<string, number>, wsPort: number): Promise<void> {
    ip('netns', 'add', this.netns);
    ip('-n', this.netns, 'link', 'set', 'lo', 'up');
    ip('link', 'add', this.hostLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.netns);
    ip('addr', 'add', `${HOST_ADDRESS}/30`, 'dev', this.hostLink);
    ip('link', 'set', this.hostLink, 'up');
    ip('-n', this.netns, 'addr', 'add', `${BACKEND_ADDRESS}/30`, 'dev', 'eth0');
    ip('-n', this.netns, 'link', 'set', 'eth0', 'up');
    const wsModule = createRequire(import.meta.url).resolve('ws');
    const specs = Object.entries(backends).map(([name, port]) => `${name}:${port}`);
    const child = spawn(
      'nsenter',
      [
        `--net=/var/run/netns/${this.netns}`,
        process.execPath,
        '-e',
        SERVER,
        wsModule,
        String(wsPort),
        ...specs,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.server = child;
    const [line]: unknown[] = await Promise.race([
      once(child.stdout, 'data'),
      once(child, 'exit').then(() => ['exited']),
    ]);
    if (String(line).trim() !== 'ready') throw new Error(`backend servers did not start: ${String(line)}`);
  }

  async remove(): Promise<void> {
    const child = this.server;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    // Deleting the host end removes its peer; the namespace goes last.
    spawnSync('ip', ['link', 'del', this.hostLink]);
    spawnSync('ip', ['netns', 'del', this.netns]);
  }
}
