/**
 * A small network made of namespaces for the service proxy's tests: a "node" namespace with a bridge for pods
 * (as the CNI bridge plugin makes it, hairpin on), "pod" namespaces each running a TCP and UDP server on port
 * 8080 that answers with the pod's name, and an "outside" namespace linked to the node, which is also the
 * node's default gateway. Nothing is created in the host's namespace; remove() deletes the namespaces and kills
 * the servers by PID.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export const POD_PORT = 8080;
export const NODE_ADDRESS = '198.51.100.1';
const OUTSIDE_ADDRESS = '198.51.100.2';
const POD_GATEWAY = '10.244.1.1';

/** Why the lab cannot be built here; undefined when it can. */
export function labMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  for (const cmd of ['ip', 'nsenter', 'iptables', 'iptables-save', 'iptables-restore', 'sysctl']) {
    if (!has(cmd)) return `${cmd} missing`;
  }
  return undefined;
}

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

const SERVER = `
const net = require('node:net'), dgram = require('node:dgram');
const name = process.argv[1];
const tcp = net.createServer((s) => s.end(name));
const udp = dgram.createSocket('udp4');
udp.on('message', (_m, r) => udp.send(name, r.port, r.address));
let up = 0;
const ready = () => { if (++up === 2) console.log('ready'); };
tcp.listen(${POD_PORT}, '0.0.0.0', ready);
udp.bind(${POD_PORT}, '0.0.0.0', ready);
`;

// Connects `count` times one after another; prints what each connection got, or ERR:<code>. UDP datagrams go
// from the source port given as the fifth argument (one flow, as a long-lived client's), else from a new port each.
const CLIENT = `
const net = require('node:net'), dgram = require('node:dgram');
const [proto, host, port, count, sport] = process.argv.slice(1);
function tcp() {
  return new Promise((resolve) => {
    let data = '';
    const s = net.connect({ host, port: Number(port) });
    s.setTimeout(3000, () => { s.destroy(); resolve('ERR:TIMEOUT'); });
    s.on('data', (d) => (data += d));
    s.on('end', () => resolve(data));
    s.on('error', (e) => resolve('ERR:' + e.code));
  });
}
function udp() {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolve('ERR:TIMEOUT'); }, 3000);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(String(m)); });
    s.on('error', (e) => { clearTimeout(timer); s.close(); resolve('ERR:' + e.code); });
    if (sport) s.bind(Number(sport), () => s.send('hello', Number(port), host));
    else s.send('hello', Number(port), host);
  });
}
(async () => {
  const out = [];
  for (let i = 0; i < Number(count); i++) out.push(await (proto === 'udp' ? udp() : tcp()));
  console.log(JSON.stringify(out));
})();
`;

export class ServiceLab {
  readonly node: string;
  readonly outside: string;
  readonly pods = new Map<string, { netns: string; ip: string }>();
  private readonly servers: ChildProcess[] = [];

  constructor(prefix: string) {
    this.node = `${prefix}-node`;
    this.outside = `${prefix}-out`;
  }

  netnsPath(name: string): string {
    return `/var/run/netns/${name}`;
  }

  /** The node, its pod bridge and the outside namespace. */
  create(): void {
    ip('netns', 'add', this.node);
    ip('netns', 'add', this.outside);
    for (const ns of [this.node, this.outside]) ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', this.node, 'link', 'add', 'cbr0', 'type', 'bridge');
    ip('-n', this.node, 'addr', 'add', `${POD_GATEWAY}/24`, 'dev', 'cbr0');
    ip('-n', this.node, 'link', 'set', 'cbr0', 'up');
    ip(
      '-n',
      this.node,
      'link',
      'add',
      'uplink',
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      this.outside,
    );
    ip('-n', this.node, 'addr', 'add', `${NODE_ADDRESS}/24`, 'dev', 'uplink');
    ip('-n', this.node, 'link', 'set', 'uplink', 'up');
    ip('-n', this.outside, 'addr', 'add', `${OUTSIDE_ADDRESS}/24`, 'dev', 'eth0');
    ip('-n', this.outside, 'link', 'set', 'eth0', 'up');
    // The node's default route: cluster IPs are routed (then DNATed) like any other address.
    ip('-n', this.node, 'route', 'add', 'default', 'via', OUTSIDE_ADDRESS);
  }

  /** A pod namespace on the bridge with the given address in 10.244.1.0/24. */
  addPod(name: string, address: string): void {
    const netns = `${this.node.replace(/-node$/, '')}-${name}`;
    const port = `v${name}`.slice(0, 15);
    ip('netns', 'add', netns);
    ip('-n', netns, 'link', 'set', 'lo', 'up');
    ip('-n', this.node, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
    ip('-n', this.node, 'link', 'set', port, 'master', 'cbr0');
    ip('-n', this.node, 'link', 'set', port, 'type', 'bridge_slave', 'hairpin', 'on');
    ip('-n', this.node, 'link', 'set', port, 'up');
    ip('-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', netns, 'link', 'set', 'eth0', 'up');
    ip('-n', netns, 'route', 'add', 'default', 'via', POD_GATEWAY);
    this.pods.set(name, { netns, ip: address });
  }

  /** Starts the pod's server and waits until it listens. */
  async startServer(pod: string): Promise<void> {
    const { netns } = this.pods.get(pod)!;
    const child = spawn('nsenter', [`--net=${this.netnsPath(netns)}`, process.execPath, '-e', SERVER, pod], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.servers.push(child);
    // Settling twice is harmless: the exit at remove() comes after ready.
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', (d: Buffer) =>
        d.toString().includes('ready') ? resolve() : reject(new Error(`server of ${pod}: ${d.toString()}`)),
      );
      child.once('exit', (code) => reject(new Error(`server of ${pod} exited ${code}`)));
    });
  }

  /** `count` connections from inside `netns`, one after another: each answer (a pod name) or ERR:<code>. */
  async connect(
    netns: string,
    host: string,
    port: number,
    count = 1,
    proto: 'tcp' | 'udp' = 'tcp',
    sourcePort?: number,
  ): Promise<string[]> {
    const child = spawn(
      'nsenter',
      [
        `--net=${this.netnsPath(netns)}`,
        process.execPath,
        '-e',
        CLIENT,
        proto,
        host,
        String(port),
        String(count),
        ...(sourcePort === undefined ? [] : [String(sourcePort)]),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`client in ${netns} exited ${code}`);
    return JSON.parse(out) as string[];
  }

  /** iptables-save of one table inside the node. */
  save(table: 'nat' | 'filter'): string {
    return spawnSync('nsenter', [`--net=${this.netnsPath(this.node)}`, 'iptables-save', '-t', table], {
      encoding: 'utf8',
    }).stdout;
  }

  /** Reads a sysctl of the node, after setting it when a value is given. */
  sysctl(name: string, value?: string): string {
    const run = (...args: string[]): string =>
      spawnSync('nsenter', [`--net=${this.netnsPath(this.node)}`, 'sysctl', ...args], { encoding: 'utf8' })
        .stdout;
    if (value !== undefined) run('-w', `${name}=${value}`);
    return run('-n', name).trim();
  }

  /** Kills the servers (by PID) and deletes every namespace made; their links, bridge and rules go with them. */
  async remove(): Promise<void> {
    for (const child of this.servers) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    }
    for (const ns of [...[...this.pods.values()].map((p) => p.netns), this.outside, this.node]) {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  }

  /** Namespaces of this lab that still exist (for a leak check). */
  leftovers(): string[] {
    const names = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .stdout.split('\n')
      .map((l) => l.split(' ')[0]);
    const mine = new Set([this.node, this.outside, ...[...this.pods.values()].map((p) => p.netns)]);
    return names.filter((n): n is string => n !== undefined && mine.has(n));
  }
}
