import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { deleteEtcdPrefix } from './etcd.js';
import { startServerProcess, type ServerProcess } from './kubectl.js';

/**
 * Two `tugboat server`s of one cluster on one datastore, A at 127.0.0.2 and B at 127.0.0.3, on one port (the
 * `kubernetes` Endpoints carry one port for every server), with data dirs `root/a` and `root/b`.
 */
export async function startLoopbackServerPair(
  root: string,
  datastoreEndpoint: string,
  token: string,
): Promise<{ a: ServerProcess; b: ServerProcess }> {
  const at = (address: string): string[] => ['--bind-address', address, '--advertise-address', address];
  const a = await startServerProcess({
    dataDir: join(root, 'a'),
    datastoreEndpoint,
    args: ['--token', token, ...at('127.0.0.2')],
  });
  try {
    const b = await startServerProcess({
      dataDir: join(root, 'b'),
      datastoreEndpoint,
      args: ['--token', token, ...at('127.0.0.3'), '--https-listen-port', String(a.port)],
    });
    return { a, b };
  } catch (err) {
    await a.stop();
    throw err;
  }
}

/** Stops the servers (those still running), then removes the cluster's etcd keys and the test's folder. */
export async function removeServerCluster(
  servers: (ServerProcess | undefined)[],
  etcdPrefix: string,
  root: string | undefined,
): Promise<void> {
  for (const s of servers) await s?.stop();
  try {
    await deleteEtcdPrefix(etcdPrefix);
  } finally {
    if (root) rmSync(root, { recursive: true, force: true });
  }
}
