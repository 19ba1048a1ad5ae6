/**
 * One behavioural suite every Store backend must pass. Each test gets a fresh store from makeStore;
 * revisions are only compared relative to each other, so backends with a shared revision counter (etcd) pass too.
 */
import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../util/wait.js';
import {
  CompactedError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  StoreClosedError,
  type Store,
  type StoreEvent,
} from './types.js';

export interface StoreContractOptions {
  /** Skip the whole suite with this reason. */
  skip?: string;
}

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');
const str = (b: Buffer | undefined): string | undefined => b?.toString('utf8');

/** Collects watch events and the terminal error. */
class EventLog {
  events: StoreEvent[] = [];
  error: Error | undefined;
  readonly callbacks = {
    onEvents: (events: StoreEvent[]): void => {
      this.events.push(...events);
    },
    onError: (err: Error): void => {
      this.error = err;
    },
  };
  async waitForCount(n: number): Promise<StoreEvent[]> {
    await waitFor(() => this.events.length >= n || this.error, { message: `${n} watch events` });
    if (this.events.length < n) throw this.error ?? new Error('watch ended');
    return this.events;
  }
  async waitForError(): Promise<Error> {
    return waitFor(() => this.error, { message: 'watch error' });
  }
  summary(): string[] {
    return this.events.map((e) => `${e.type} ${e.kv.key}=${str(e.kv.value)}`);
  }
}

export function runStoreContract(
  name: string,
  makeStore: () => Promise<Store>,
  cleanup?: (store: Store) => Promise<void>,
  options: StoreContractOptions = {},
): void {
  void describe(`Store contract: ${name}`, { skip: options.skip ?? false }, () => {
    const open: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const s = await makeStore();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) {
        if (cleanup) await cleanup(s);
        await s.close();
      }
    });
    after(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    void test('create then get returns the value with equal create and mod revisions', async () => {
      const s = await fresh();
      const before = await s.currentRevision();
      const kv = await s.create('/a/one', buf('v1'));
      assert.equal(kv.key, '/a/one');
      assert.equal(str(kv.value), 'v1');
      assert.ok(kv.modRevision > before);
      assert.equal(kv.createRevision, kv.modRevision);
      assert.equal(await s.currentRevision(), kv.modRevision);
      const got = await s.get('/a/one');
      assert.deepEqual(got && { ...got, value: str(got.value) }, { ...kv, value: 'v1' });
    });

    void test('get of a missing key is undefined', async () => {
      const s = await fresh();
      assert.equal(await s.get('/a/missing'), undefined);
    });

    void test('binary and empty values round-trip', async () => {
      const s = await fresh();
      const bytes = Buffer.from([0, 1, 2, 255, 254, 0]);
      await s.create('/a/bin', bytes);
      await s.create('/a/empty', Buffer.alloc(0));
      assert.deepEqual((await s.get('/a/bin'))?.value, bytes);
      assert.equal((await s.get('/a/empty'))?.value.length, 0);
    });

    void test('create of an existing key throws KeyExistsError and changes nothing', async () => {
      const s = await fresh();
      const kv = await s.create('/a/dup', buf('first'));
      await assert.rejects(s.create('/a/dup', buf('second')), KeyExistsError);
      assert.equal(await s.currentRevision(), kv.modRevision);
      assert.equal(str((await s.get('/a/dup'))?.value), 'first');
    });

    void test('update with the current revision succeeds and keeps createRevision', async () => {
      const s = await fresh();
      const created = await s.create('/a/u', buf('v1'));
      const updated = await s.update('/a/u', buf('v2'), created.modRevision);
      assert.ok(updated.modRevision > created.modRevision);
      assert.equal(updated.createRevision, created.createRevision);
      assert.equal(str(updated.value), 'v2');
      const got = await s.get('/a/u');
      assert.equal(str(got?.value), 'v2');
      assert.equal(got?.modRevision, updated.modRevision);
    });

    void test('update with a stale revision throws RevisionMismatchError with the actual revision', async () => {
      const s = await fresh();
      const created = await s.create('/a/u', buf('v1'));
      const updated = await s.update('/a/u', buf('v2'), created.modRevision);
      await assert.rejects(s.update('/a/u', buf('v3'), created.modRevision), (err: unknown) => {
        assert.ok(err instanceof RevisionMismatchError);
        assert.equal(err.key, '/a/u');
        assert.equal(err.expected, created.modRevision);
        assert.equal(err.actual, updated.modRevision);
        return true;
      });
      assert.equal(str((await s.get('/a/u'))?.value), 'v2');
    });

    void test('update of a missing key throws KeyNotFoundError', async () => {
      const s = await fresh();
      await assert.rejects(s.update('/a/nope', buf('x'), 1), KeyNotFoundError);
    });

    void test('delete returns the last value with the deletion revision', async () => {
      const s = await fresh();
      const created = await s.create('/a/d', buf('last'));
      const deleted = await s.delete('/a/d');
      assert.equal(str(deleted.value), 'last');
      assert.equal(deleted.key, '/a/d');
      assert.ok(deleted.modRevision > created.modRevision);
      assert.equal(deleted.createRevision, created.createRevision);
      assert.equal(await s.currentRevision(), deleted.modRevision);
      assert.equal(await s.get('/a/d'), undefined);
      await assert.rejects(s.delete('/a/d'), KeyNotFoundError);
    });

    void test('delete with a precondition checks the revision', async () => {
      const s = await fresh();
      const created = await s.create('/a/d', buf('v1'));
      const updated = await s.update('/a/d', buf('v2'), created.modRevision);
      await assert.rejects(s.delete('/a/d', created.modRevision), RevisionMismatchError);
      assert.equal(str((await s.get('/a/d'))?.value), 'v2');
      const deleted = await s.delete('/a/d', updated.modRevision);
      assert.equal(str(deleted.value), 'v2');
      assert.equal(await s.get('/a/d'), undefined);
    });

    void test('a deleted key can be created again with a new createRevision', async () => {
      const s = await fresh();
      const first = await s.create('/a/r', buf('v1'));
      await s.delete('/a/r');
      const second = await s.create('/a/r', buf('v2'));
      assert.ok(second.createRevision > first.createRevision);
      assert.equal(second.createRevision, second.modRevision);
      assert.equal(str((await s.get('/a/r'))?.value), 'v2');
    });

    void test('revisions strictly increase across writes', async () => {
      const s = await fresh();
      const revs: number[] = [];
      revs.push((await s.create('/a/1', buf('x'))).modRevision);
      revs.push((await s.create('/a/2', buf('x'))).modRevision);
      revs.push((await s.update('/a/1', buf('y'), revs[0]!)).modRevision);
      revs.push((await s.delete('/a/2')).modRevision);
      revs.push((await s.create('/a/2', buf('z'))).modRevision);
      for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, `revisions ${revs.join(',')}`);
      assert.equal(await s.currentRevision(), revs[revs.length - 1]);
    });

    void test('list returns keys under the prefix only, in key order', async () => {
      const s = await fresh();
      for (const k of ['/a/c', '/a/a', '/ab/x', '/a', '/b/a', '/a/b/deep']) await s.create(k, buf(k));
      const res = await s.list('/a/');
      assert.deepEqual(
        res.items.map((kv) => kv.key),
        ['/a/a', '/a/b/deep', '/a/c'],
      );
      assert.equal(res.more, false);
      assert.equal(res.revision, await s.currentRevision());
      assert.equal(str(res.items[0]?.value), '/a/a');
      assert.deepEqual(
        (await s.list('/ab/')).items.map((kv) => kv.key),
        ['/ab/x'],
      );
      assert.deepEqual((await s.list('/none/')).items, []);
    });

    void test('list omits deleted keys', async () => {
      const s = await fresh();
      await s.create('/a/1', buf('1'));
      await s.create('/a/2', buf('2'));
      await s.delete('/a/1');
      assert.deepEqual(
        (await s.list('/a/')).items.map((kv) => kv.key),
        ['/a/2'],
      );
    });

    void test('list at an old revision sees the values of that revision', async () => {
      const s = await fresh();
      const k1 = await s.create('/a/1', buf('old'));
      await s.create('/a/2', buf('gone-later'));
      const rev = await s.currentRevision();
      await s.update('/a/1', buf('new'), k1.modRevision);
      await s.delete('/a/2');
      await s.create('/a/3', buf('later'));
      const old = await s.list('/a/', { revision: rev });
      assert.equal(old.revision, rev);
      assert.deepEqual(
        old.items.map((kv) => `${kv.key}=${str(kv.value)}`),
        ['/a/1=old', '/a/2=gone-later'],
      );
      assert.equal(old.items[0]?.modRevision, k1.modRevision);
      const now = await s.list('/a/');
      assert.deepEqual(
        now.items.map((kv) => `${kv.key}=${str(kv.value)}`),
        ['/a/1=new', '/a/3=later'],
      );
    });

    void test('limit and startKey paginate over every key exactly once at a fixed revision', async () => {
      const s = await fresh();
      const keys = Array.from({ length: 23 }, (_, i) => `/p/k${String(i).padStart(3, '0')}`);
      for (const k of keys) await s.create(k, buf(`v-${k}`));
      await s.create('/pz/outside', buf('x'));
      const first = await s.list('/p/', { limit: 5 });
      assert.equal(first.items.length, 5);
      assert.equal(first.more, true);
      if (first.remaining !== undefined) assert.equal(first.remaining, 18);
      const rev = first.revision;
      // Writes between pages must not show up in later pages read at the same revision.
      await s.create('/p/k0005a', buf('new'));
      const k10 = await s.get('/p/k010');
      await s.update('/p/k010', buf('changed'), k10!.modRevision);
      await s.delete('/p/k020');
      const seen = first.items.map((kv) => `${kv.key}=${str(kv.value)}`);
      let last = first;
      let pages = 1;
      while (last.more) {
        const lastKey = last.items[last.items.length - 1]!.key;
        last = await s.list('/p/', { limit: 5, revision: rev, startKey: lastKey + '\x00' });
        assert.equal(last.revision, rev);
        seen.push(...last.items.map((kv) => `${kv.key}=${str(kv.value)}`));
        pages++;
        assert.ok(pages < 20, 'pagination does not terminate');
      }
      assert.deepEqual(
        seen,
        keys.map((k) => `${k}=v-${k}`),
      );
      assert.equal(pages, 5);
    });

    void test('limit exactly equal to the number of keys reports no more', async () => {
      const s = await fresh();
      for (const k of ['/l/a', '/l/b', '/l/c']) await s.create(k, buf(k));
      const res = await s.list('/l/', { limit: 3 });
      assert.equal(res.items.length, 3);
      assert.equal(res.more, false);
    });

    void test('count counts live keys under the prefix', async () => {
      const s = await fresh();
      for (const k of ['/c/1', '/c/2', '/c/3', '/cc/1']) await s.create(k, buf(k));
      await s.delete('/c/2');
      assert.equal(await s.count('/c/'), 2);
      assert.equal(await s.count('/cc/'), 1);
      assert.equal(await s.count('/none/'), 0);
    });

    void test('watch from a revision replays history, then streams live events with prevKv', async () => {
      const s = await fresh();
      const start = await s.currentRevision();
      const a = await s.create('/w/a', buf('a1'));
      const a2 = await s.update('/w/a', buf('a2'), a.modRevision);
      const log = new EventLog();
      const w = s.watch('/w/', start, log.callbacks);
      await log.waitForCount(2);
      const b = await s.create('/w/b', buf('b1'));
      const del = await s.delete('/w/a');
      const events = await log.waitForCount(4);
      assert.deepEqual(log.summary(), [
        'create /w/a=a1',
        'update /w/a=a2',
        'create /w/b=b1',
        'delete /w/a=a2',
      ]);
      assert.deepEqual(
        events.map((e) => e.revision),
        [a.modRevision, a2.modRevision, b.modRevision, del.modRevision],
      );
      for (const e of events) assert.equal(e.kv.modRevision, e.revision);
      assert.equal(events[0]!.prevKv, undefined);
      assert.equal(str(events[1]!.prevKv?.value), 'a1');
      assert.equal(events[1]!.prevKv?.modRevision, a.modRevision);
      assert.equal(events[1]!.kv.createRevision, a.createRevision);
      assert.equal(str(events[3]!.prevKv?.value), 'a2');
      assert.equal(events[3]!.prevKv?.modRevision, a2.modRevision);
      w.close();
      w.close();
      await s.create('/w/c', buf('after close'));
      await s.currentRevision();
      assert.equal(log.events.length, 4);
      assert.equal(log.error, undefined);
    });

    void test('watch from the current revision sees only later events', async () => {
      const s = await fresh();
      await s.create('/w/old', buf('x'));
      const log = new EventLog();
      const w = s.watch('/w/', await s.currentRevision(), log.callbacks);
      await s.create('/w/new', buf('y'));
      await log.waitForCount(1);
      assert.deepEqual(log.summary(), ['create /w/new=y']);
      w.close();
    });

    void test('watch delivers only keys under its prefix', async () => {
      const s = await fresh();
      const start = await s.currentRevision();
      const log = new EventLog();
      const w = s.watch('/w/', start, log.callbacks);
      await s.create('/wx/1', buf('no'));
      await s.create('/w/1', buf('yes'));
      await s.create('/v/1', buf('no'));
      await s.create('/w/2', buf('yes'));
      await log.waitForCount(2);
      const other = new EventLog();
      const w2 = s.watch('/wx/', start, other.callbacks);
      await other.waitForCount(1);
      assert.deepEqual(log.summary(), ['create /w/1=yes', 'create /w/2=yes']);
      assert.deepEqual(other.summary(), ['create /wx/1=no']);
      w.close();
      w2.close();
    });

    void test('many concurrent writes are all acknowledged with distinct revisions and all watched', async () => {
      const s = await fresh();
      const start = await s.currentRevision();
      const log = new EventLog();
      const w = s.watch('/g/', start, log.callbacks);
      const n = 300;
      const kvs = await Promise.all(
        Array.from({ length: n }, (_, i) => s.create(`/g/${String(i).padStart(4, '0')}`, buf(`v${i}`))),
      );
      const revs = new Set(kvs.map((kv) => kv.modRevision));
      assert.equal(revs.size, n);
      for (const r of revs) assert.ok(r > start);
      assert.equal(await s.count('/g/'), n);
      const events = await log.waitForCount(n);
      for (let i = 1; i < events.length; i++) assert.ok(events[i]!.revision > events[i - 1]!.revision);
      w.close();
    });

    void test('concurrent compare-and-swaps on one key: exactly one wins, the rest fail individually', async () => {
      const s = await fresh();
      const kv = await s.create('/cas/k', buf('0'));
      const other = s.create('/cas/other', buf('x'));
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => s.update('/cas/k', buf(`w${i}`), kv.modRevision)),
      );
      await other;
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r) => r.status === 'rejected');
      assert.equal(ok.length, 1);
      for (const f of failed) assert.ok(f.reason instanceof RevisionMismatchError);
      const winner = (ok[0] as PromiseFulfilledResult<Awaited<ReturnType<Store['update']>>>).value;
      assert.equal((await s.get('/cas/k'))?.modRevision, winner.modRevision);
      assert.ok(await s.get('/cas/other'));
      const dup = await Promise.allSettled([s.create('/cas/new', buf('1')), s.create('/cas/new', buf('2'))]);
      assert.equal(dup.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(dup.some((r) => r.status === 'rejected' && r.reason instanceof KeyExistsError));
    });

    void test('compaction: old revisions throw CompactedError, current data survives', async () => {
      const s = await fresh();
      const k = await s.create('/k/1', buf('v1'));
      await s.create('/k/2', buf('gone'));
      const oldRev = await s.currentRevision();
      const u = await s.update('/k/1', buf('v2'), k.modRevision);
      await s.delete('/k/2');
      await s.create('/k/3', buf('v3'));
      const compactAt = await s.currentRevision();
      await s.update('/k/3', buf('v3b'), compactAt);
      await s.compact(compactAt);
      assert.ok((await s.compactedRevision()) >= compactAt);
      await assert.rejects(s.list('/k/', { revision: oldRev }), CompactedError);
      const atCompact = await s.list('/k/', { revision: compactAt });
      assert.deepEqual(
        atCompact.items.map((kv) => `${kv.key}=${str(kv.value)}`),
        ['/k/1=v2', '/k/3=v3'],
      );
      const now = await s.list('/k/');
      assert.deepEqual(
        now.items.map((kv) => `${kv.key}=${str(kv.value)}`),
        ['/k/1=v2', '/k/3=v3b'],
      );
      const got = await s.get('/k/1');
      assert.equal(got?.modRevision, u.modRevision);
      assert.equal(got?.createRevision, k.createRevision);
      assert.equal(await s.get('/k/2'), undefined);
      // Keys stay writable after compaction, including a compacted-away deleted key.
      await s.update('/k/1', buf('v4'), u.modRevision);
      await s.create('/k/2', buf('again'));
      assert.equal(await s.count('/k/'), 3);
    });

    void test('history after a compaction still carries the previous values of updates', async () => {
      const s = await fresh();
      const a = await s.create('/hc/a', buf('a1'));
      const b = await s.create('/hc/b', buf('b1'));
      const b2 = await s.update('/hc/b', buf('b2'), b.modRevision);
      const rev = await s.currentRevision();
      await s.compact(rev);
      await s.update('/hc/a', buf('a2'), a.modRevision);
      await s.update('/hc/b', buf('b3'), b2.modRevision);
      const log = new EventLog();
      const w = s.watch('/hc/', rev, log.callbacks);
      const events = await log.waitForCount(2);
      assert.deepEqual(log.summary(), ['update /hc/a=a2', 'update /hc/b=b3']);
      assert.equal(str(events[0]!.prevKv?.value), 'a1');
      assert.equal(events[0]!.prevKv?.modRevision, a.modRevision);
      assert.equal(str(events[1]!.prevKv?.value), 'b2');
      assert.equal(events[1]!.prevKv?.modRevision, b2.modRevision);
      w.close();
    });

    void test('watch from a compacted revision fails with CompactedError', async () => {
      const s = await fresh();
      const start = await s.currentRevision();
      const k = await s.create('/wc/1', buf('v1'));
      await s.update('/wc/1', buf('v2'), k.modRevision);
      await s.create('/wc/2', buf('x'));
      const rev = await s.currentRevision();
      await s.compact(rev);
      const log = new EventLog();
      let err: unknown;
      try {
        s.watch('/wc/', start, log.callbacks);
        err = await log.waitForError();
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof CompactedError, `got ${String(err)}`);
      assert.equal(log.events.length, 0);
      // From the compacted revision itself a watch works.
      const ok = new EventLog();
      const w = s.watch('/wc/', rev, ok.callbacks);
      await s.create('/wc/3', buf('y'));
      await ok.waitForCount(1);
      assert.deepEqual(ok.summary(), ['create /wc/3=y']);
      w.close();
    });

    void test('a watch replaying a long history delivers every event once, in order', async () => {
      const s = await fresh();
      const start = await s.currentRevision();
      const n = 1200;
      await Promise.all(Array.from({ length: n }, (_, i) => s.create(`/h/${i}`, buf(String(i)))));
      await s.create('/hx/outside', buf('x'));
      const log = new EventLog();
      const w = s.watch('/h/', start, log.callbacks);
      await log.waitForCount(n);
      await s.create('/h/live', buf('live'));
      const events = await log.waitForCount(n + 1);
      assert.equal(events.length, n + 1);
      for (let i = 1; i < events.length; i++) assert.ok(events[i]!.revision > events[i - 1]!.revision);
      assert.equal(new Set(events.map((e) => e.kv.key)).size, n + 1);
      assert.equal(events[n]!.kv.key, '/h/live');
      w.close();
    });

    void test('close finishes in-flight writes; later calls reject with StoreClosedError', async () => {
      const s = await makeStore();
      const pending = s.create('/cl/1', buf('x'));
      if (cleanup) await cleanup(s);
      await s.close();
      const kv = await pending;
      assert.equal(str(kv.value), 'x');
      await assert.rejects(s.get('/cl/1'), StoreClosedError);
      await assert.rejects(s.create('/cl/2', buf('y')), StoreClosedError);
      await assert.rejects(s.list('/cl/'), StoreClosedError);
    });

    void test('close ends open watches with an error', async () => {
      const s = await makeStore();
      const log = new EventLog();
      s.watch('/z/', await s.currentRevision(), log.callbacks);
      await s.create('/z/1', buf('x'));
      await log.waitForCount(1);
      if (cleanup) await cleanup(s);
      await s.close();
      const err = await log.waitForError();
      assert.ok(err instanceof Error);
      await s.close();
    });
  });
}
