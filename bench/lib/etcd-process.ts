import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { OutputTail, stopChild, waitForOutput } from './child.js';

export interface EtcdProcess {
  pid: number;
  /** host:port of the client URL, as --datastore-endpoint etcd://… takes it. */
  clientHostPort: string;
  version: string;
  stop(): Promise<void>;
}

/** The etcd binary's version line, or why it cannot be used. */
export function etcdAvailability(): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
  if (r.error)
    return { ok: false, reason: `no etcd binary on PATH (${r.error.message}); apt-get install etcd-server` };
  if (r.status !== 0) return { ok: false, reason: `etcd --version exited ${r.status}: ${r.stderr.trim()}` };
  const version = /etcd Version:\s*(\S+)/.exec(r.stdout)?.[1] ?? r.stdout.split('\n')[0]!.trim();
  return { ok: true, version };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function healthy(clientUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${clientUrl}/health`);
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

/** A single-member etcd on loopback ports with its data in `dataDir`; stop() ends it by its PID. */
export async function startEtcd(dataDir: string, version: string): Promise<EtcdProcess> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    'etcd',
    [
      '--name',
      'bench',
      '--data-dir',
      dataDir,
      '--listen-client-urls',
      clientUrl,
      '--advertise-client-urls',
      clientUrl,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      `bench=${peerUrl}`,
      '--logger',
      'zap',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = new OutputTail();
  child.stdout.on('data', (c: Buffer) => output.add(c.toString()));
  child.stderr.on('data', (c: Buffer) => output.add(c.toString()));
  let ok = false;
  const poll = setInterval(() => void healthy(clientUrl).then((h) => (ok ||= h)), 100);
  try {
    await waitForOutput(child, output, () => (ok ? true : undefined), 30_000, 'etcd');
  } catch (err) {
    await stopChild(child, 5000);
    throw err;
  } finally {
    clearInterval(poll);
  }
  return {
    pid: child.pid!,
    clientHostPort: `127.0.0.1:${clientPort}`,
    version,
    stop: () => stopChild(child, 10_000),
  };
}
