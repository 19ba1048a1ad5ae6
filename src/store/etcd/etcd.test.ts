import net from 'node:net';
import { after } from 'node:test';
import { Etcd3 } from 'etcd3';
import { runStoreContract } from '../contract.js';
import { EtcdStore } from './etcd-store.js';

const endpoint = process.env.TUGBOAT_TEST_ETCD ?? '127.0.0.1:2379';
const runPrefix = `tugboat-test-${process.pid}-${Date.now()}/`;

function reachable(hostPort: string): Promise<boolean> {
  const url = new URL(/^https?:\/\//.test(hostPort) ? hostPort : `http://${hostPort}`);
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

const up = await reachable(endpoint);
if (!up && process.env.CI)
  throw new Error(`etcd not reachable at ${endpoint} (CI must not skip the etcd tests)`);
const skip = up ? undefined : `etcd not reachable at ${endpoint}`;
if (skip) console.log(`# skipping etcd store tests: ${skip}`);

let n = 0;
after(async () => {
  if (!up) return;
  const client = new Etcd3({ hosts: `http://${endpoint.replace(/^https?:\/\//, '')}` });
  try {
    await client.delete().prefix(runPrefix).exec();
  } finally {
    client.close();
  }
});

runStoreContract(
  'etcd',
  () => Promise.resolve(new EtcdStore({ endpoints: [endpoint], keyPrefix: `${runPrefix}${n++}` })),
  undefined,
  skip ? { skip } : {},
);
