import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { waitFor } from '../../util/wait.js';
import { runStoreContract } from '../contract.js';
import { CompactedError } from '../types.js';
import { EtcdStore } from './etcd-store.js';
import { etcdMissing, testEtcdEndpoint } from '../../../test/helpers/etcd.js';

const endpoint = testEtcdEndpoint;
const runPrefix = `tugboat-test-${process.pid}-${Date.now()}/`;

const skip = await etcdMissing(endpoint);
const up = skip === undefined;
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

void describe('etcd specifics', { skip: skip ?? false }, () => {
  void test('a watch on a revision compacted by another client of the same etcd fails with CompactedError', async () => {
    const a = new EtcdStore({ endpoints: [endpoint], keyPrefix: `${runPrefix}${n++}` });
    const b = new EtcdStore({ endpoints: [endpoint], keyPrefix: `${runPrefix}${n++}` });
    try {
      const start = await a.currentRevision();
      await a.create('/k/1', Buffer.from('1'));
      await a.create('/k/2', Buffer.from('2'));
      await b.compact(await b.currentRevision());
      let error: Error | undefined;
      a.watch('/k/', start, { onEvents: () => {}, onError: (err) => (error = err) });
      const err = await waitFor(() => error, { message: 'watch error' });
      assert.ok(err instanceof CompactedError, `got ${String(err)}`);
      await assert.rejects(a.list('/k/', { revision: start }), CompactedError);
    } finally {
      await a.close();
      await b.close();
    }
  });

  void test('a list bigger than the default 4 MiB gRPC message limit works', async () => {
    const s = new EtcdStore({ endpoints: [endpoint], keyPrefix: `${runPrefix}${n++}` });
    try {
      const value = Buffer.alloc(8 * 1024, 'v');
      await Promise.all(Array.from({ length: 640 }, (_, i) => s.create(`/big/${i}`, value)));
      const res = await s.list('/big/');
      assert.equal(res.items.length, 640);
      assert.ok(res.items.every((kv) => kv.value.length === value.length));
    } finally {
      await s.close();
    }
  });

  void test('list reports how many items remain past the limit', async () => {
    const s = new EtcdStore({ endpoints: [endpoint], keyPrefix: `${runPrefix}${n++}` });
    try {
      for (let i = 0; i < 7; i++) await s.create(`/r/${i}`, Buffer.from(String(i)));
      const res = await s.list('/r/', { limit: 3 });
      assert.equal(res.items.length, 3);
      assert.equal(res.more, true);
      assert.equal(res.remaining, 4);
    } finally {
      await s.close();
    }
  });
});
