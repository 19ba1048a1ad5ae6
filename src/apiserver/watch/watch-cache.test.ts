import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { MemoryStore } from '../../store/memory/memory-store.js';
import type { StoreEvent } from '../../store/types.js';
import { WatchCache, type CachedEvent } from './watch-cache.js';

const PODS = '/registry/core/pods/';
const NODES = '/registry/core/nodes/';

async function started(): Promise<{ store: MemoryStore; cache: WatchCache }> {
  const store = new MemoryStore();
  const cache = new WatchCache(store);
  await cache.start();
  await tick();
  return { store, cache };
}

function object(name: string): Buffer {
  return Buffer.from(JSON.stringify({ metadata: { name } }));
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

test('events reach the watchers of their resource and of their namespace, and no others', async () => {
  const { store, cache } = await started();
  const seen = new Map<string, string[]>();
  const watch = (label: string, prefix: string): void => {
    seen.set(label, []);
    cache.subscribe({
      prefix,
      fromRevision: cache.latestRevision,
      onEvent: (ev) => seen.get(label)!.push(`${ev.type} ${ev.key}`),
      onClose: () => {},
    });
  };
  watch('all pods', PODS);
  watch('pods in a', `${PODS}a/`);
  watch('pods in b', `${PODS}b/`);
  watch('nodes', NODES);
  watch('configmaps', '/registry/core/configmaps/');
  await store.create(`${PODS}a/p1`, object('p1'));
  await store.create(`${PODS}b/p2`, object('p2'));
  await store.create(`${NODES}n1`, object('n1'));
  const kv = await store.get(`${PODS}a/p1`);
  await store.delete(`${PODS}a/p1`, kv!.modRevision);
  await settle();
  assert.deepEqual(seen.get('all pods'), [`ADDED ${PODS}a/p1`, `ADDED ${PODS}b/p2`, `DELETED ${PODS}a/p1`]);
  assert.deepEqual(seen.get('pods in a'), [`ADDED ${PODS}a/p1`, `DELETED ${PODS}a/p1`]);
  assert.deepEqual(seen.get('pods in b'), [`ADDED ${PODS}b/p2`]);
  assert.deepEqual(seen.get('nodes'), [`ADDED ${NODES}n1`]);
  assert.deepEqual(seen.get('configmaps'), []);
  assert.equal(cache.watcherCount, 5);
  cache.stop();
});

test('a watcher that subscribes during delivery gets the event once; one closed during delivery gets nothing', async () => {
  const { store, cache } = await started();
  const late: string[] = [];
  const closedLate: string[] = [];
  let victim: { close(): void } | undefined;
  const from = cache.latestRevision;
  cache.subscribe({
    prefix: PODS,
    fromRevision: from,
    onEvent: () => {
      if (victim) {
        victim.close();
        victim = undefined;
        // Subscribing from before this event replays it from the buffer.
        cache.subscribe({
          prefix: PODS,
          fromRevision: from,
          onEvent: (ev) => late.push(ev.key),
          onClose: () => {},
        });
      }
    },
    onClose: () => {},
  });
  victim = cache.subscribe({
    prefix: PODS,
    fromRevision: from,
    onEvent: (ev: CachedEvent) => closedLate.push(ev.key),
    onClose: () => {},
  });
  await store.create(`${PODS}a/p1`, object('p1'));
  await store.create(`${PODS}a/p2`, object('p2'));
  await settle();
  assert.deepEqual(late, [`${PODS}a/p1`, `${PODS}a/p2`]);
  assert.deepEqual(closedLate, []);
  cache.stop();
});

test('a watch from before the retained window is refused with 410', async () => {
  const store = new MemoryStore();
  const cache = new WatchCache(store, { capacity: 2 });
  await cache.start();
  const from = cache.latestRevision;
  for (const name of ['p1', 'p2', 'p3']) await store.create(`${PODS}a/${name}`, object(name));
  await settle();
  assert.throws(
    () => cache.subscribe({ prefix: PODS, fromRevision: from, onEvent: () => {}, onClose: () => {} }),
    (err: { status?: { code?: number } }) => err.status?.code === 410,
  );
  const replayed: string[] = [];
  cache.subscribe({
    prefix: PODS,
    fromRevision: from + 1,
    onEvent: (ev) => replayed.push(ev.key),
    onClose: () => {},
  });
  assert.deepEqual(replayed, [`${PODS}a/p2`, `${PODS}a/p3`]);
  cache.stop();
});

test('what was encoded for the watchers is let go after the fan-out, and made again for a replay', async () => {
  const { store, cache } = await started();
  const from = cache.latestRevision;
  let seen: CachedEvent | undefined;
  cache.subscribe({
    prefix: PODS,
    fromRevision: from,
    onEvent: (ev) => {
      seen = ev;
      ev.encoded.set('line', `${ev.storedJson}\n`);
    },
    onClose: () => {},
  });
  await store.create(`${PODS}a/p1`, object('p1'));
  await settle();
  assert.ok(seen);
  assert.equal(seen.encoded.size, 0);
  const replayed: string[] = [];
  cache.subscribe({
    prefix: PODS,
    fromRevision: from,
    onEvent: (ev) => replayed.push(ev.storedJson),
    onClose: () => {},
  });
  assert.equal(replayed.length, 1);
  assert.deepEqual(JSON.parse(replayed[0]!), {
    metadata: { name: 'p1', resourceVersion: String(seen.revision) },
  });
  cache.stop();
});

test('indexed watchers get only the events of objects with their value, before or after the event', async () => {
  const { store, cache } = await started();
  const pod = (name: string, nodeName?: string): Buffer =>
    Buffer.from(JSON.stringify({ metadata: { name }, spec: nodeName ? { nodeName } : {} }));
  const seen = new Map<string, string[]>();
  const watch = (
    label: string,
    index?: { field: 'metadata.name' | 'spec.nodeName'; value: string },
  ): void => {
    seen.set(label, []);
    cache.subscribe({
      prefix: PODS,
      ...(index ? { index } : {}),
      fromRevision: cache.latestRevision,
      onEvent: (ev) => seen.get(label)!.push(`${ev.type} ${ev.parsed.name}`),
      onClose: () => {},
    });
  };
  watch('n1', { field: 'spec.nodeName', value: 'n1' });
  watch('n2', { field: 'spec.nodeName', value: 'n2' });
  watch('unscheduled', { field: 'spec.nodeName', value: '' });
  watch('p2', { field: 'metadata.name', value: 'p2' });
  watch('all');
  await store.create(`${PODS}a/p1`, pod('p1'));
  await store.create(`${PODS}a/p2`, pod('p2', 'n2'));
  // Bound: the pod leaves the unscheduled watcher's value and reaches n1's.
  const unbound = await store.get(`${PODS}a/p1`);
  await store.update(`${PODS}a/p1`, pod('p1', 'n1'), unbound!.modRevision);
  const bound = await store.get(`${PODS}a/p1`);
  await store.delete(`${PODS}a/p1`, bound!.modRevision);
  await settle();
  assert.deepEqual(seen.get('n1'), ['MODIFIED p1', 'DELETED p1']);
  assert.deepEqual(seen.get('n2'), ['ADDED p2']);
  assert.deepEqual(seen.get('unscheduled'), ['ADDED p1', 'MODIFIED p1']);
  assert.deepEqual(seen.get('p2'), ['ADDED p2']);
  assert.deepEqual(seen.get('all'), ['ADDED p1', 'ADDED p2', 'MODIFIED p1', 'DELETED p1']);
  assert.equal(cache.watcherCount, 5);
  cache.stop();
});

test('closing an indexed watcher forgets it, and the cache closes indexed watchers when it stops', async () => {
  const { store, cache } = await started();
  const got: string[] = [];
  let closed = 0;
  const sub = cache.subscribe({
    prefix: PODS,
    index: { field: 'metadata.name', value: 'p1' },
    fromRevision: cache.latestRevision,
    onEvent: (ev) => got.push(ev.parsed.name),
    onClose: () => closed++,
  });
  cache.subscribe({
    prefix: PODS,
    index: { field: 'metadata.name', value: 'p2' },
    fromRevision: cache.latestRevision,
    onEvent: () => {},
    onClose: () => closed++,
  });
  assert.equal(cache.watcherCount, 2);
  sub.close();
  assert.equal(cache.watcherCount, 1);
  await store.create(`${PODS}a/p1`, object('p1'));
  await settle();
  assert.deepEqual(got, []);
  cache.stop();
  assert.equal(closed, 1);
});

test('a watch from a revision the cache has not reached yet starts after it (no event twice)', async () => {
  // The store's events reach this cache late (another process's store, etcd): a client that listed at the
  // store's current revision and watches from it must not get the events its list already held.
  const store = new MemoryStore();
  const held: StoreEvent[][] = [];
  let deliver: ((events: StoreEvent[]) => void) | undefined;
  const lagging = Object.create(store) as MemoryStore;
  lagging.watch = (prefix, from, callbacks) =>
    store.watch(prefix, from, {
      onEvents: (events) => {
        held.push(events);
        deliver = (later) => callbacks.onEvents(later);
      },
      onError: (err) => callbacks.onError(err),
    });
  const cache = new WatchCache(lagging);
  await cache.start();
  await store.create(`${PODS}a/p1`, object('p1'));
  const listedAt = (await store.create(`${PODS}a/p2`, object('p2'))).modRevision;
  await settle();
  assert.ok(cache.latestRevision < listedAt, 'the cache is behind the store');
  const seen: string[] = [];
  cache.subscribe({
    prefix: PODS,
    fromRevision: listedAt,
    onEvent: (ev) => seen.push(`${ev.type} ${ev.key}`),
    onClose: () => {},
  });
  await store.create(`${PODS}a/p3`, object('p3'));
  await settle();
  for (const events of held.splice(0)) deliver!(events);
  assert.deepEqual(seen, [`ADDED ${PODS}a/p3`]);
  cache.stop();
});

test('started with history, the cache resumes watches from before its start; without, they are too old', async () => {
  const store = new MemoryStore();
  const first = (await store.create(`${PODS}a/p1`, object('p1'))).modRevision;
  await store.create(`${PODS}a/p2`, object('p2'));
  await store.create(`${PODS}a/p3`, object('p3'));
  const plain = new WatchCache(store);
  await plain.start();
  assert.throws(
    () => plain.subscribe({ prefix: PODS, fromRevision: first, onEvent: () => {}, onClose: () => {} }),
    /too old resource version/,
  );
  plain.stop();
  const withHistory = new WatchCache(store, { capacity: 2 });
  await withHistory.start({ history: true });
  await settle();
  const seen: string[] = [];
  withHistory.subscribe({
    prefix: PODS,
    fromRevision: first,
    onEvent: (ev) => seen.push(ev.key),
    onClose: () => {},
  });
  await store.create(`${PODS}a/p4`, object('p4'));
  await settle();
  assert.deepEqual(seen, [`${PODS}a/p2`, `${PODS}a/p3`, `${PODS}a/p4`]);
  withHistory.stop();
});

test('writes outside the API (address allocations) advance the cache to the store revision, unseen', async () => {
  const { store, cache } = await started();
  const seen: CachedEvent[] = [];
  const sub = cache.subscribe({
    prefix: PODS,
    fromRevision: cache.latestRevision,
    onEvent: (e) => seen.push(e),
    onClose: () => {},
  });
  await store.create(`${PODS}default/a`, object('a'));
  await store.create('/tugboat/allocations/serviceips/10.43.0.5', Buffer.from('{}'));
  await settle();
  assert.equal(cache.latestRevision, await store.currentRevision());
  assert.deepEqual(
    seen.map((e) => e.key),
    [`${PODS}default/a`],
  );
  sub.close();
  cache.stop();
});
