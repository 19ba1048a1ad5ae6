import net from 'node:net';
import { Etcd3 } from 'etcd3';

/** The etcd the tests use: $TUGBOAT_TEST_ETCD (host:port), else a local one on the default port. */
export const testEtcdEndpoint = process.env.TUGBOAT_TEST_ETCD ?? '127.0.0.1:2379';

/**
 * Why the etcd tests cannot run here, or undefined when etcd accepts connections. Under CI, which starts its
 * own etcd and must not skip these tests, an unreachable etcd throws instead.
 */
export async function etcdMissing(endpoint = testEtcdEndpoint): Promise<string | undefined> {
  if (await reachable(endpoint)) return undefined;
  if (process.env.CI) throw new Error(`etcd not reachable at ${endpoint} (CI must not skip the etcd tests)`);
  return `etcd not reachable at ${endpoint}`;
}

function reachable(hostPort: string): Promise<boolean> {
  const url = new URL(`http://${hostPort}`);
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 2379) });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Removes every key a test wrote under `prefix` in the test etcd. */
export async function deleteEtcdPrefix(prefix: string, endpoint = testEtcdEndpoint): Promise<void> {
  const etcd = new Etcd3({ hosts: `http://${endpoint}` });
  try {
    await etcd.delete().prefix(prefix);
  } finally {
    etcd.close();
  }
}
