import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../util/logger.js';
import { waitFor } from '../util/wait.js';
import { PendingWork } from './pending-work.js';

test('a name is worked until its work reports done, failures included', async () => {
  const calls: string[] = [];
  let failures = 1;
  let unfinished = 1;
  const work = new PendingWork(
    (name) => {
      calls.push(name);
      if (failures-- > 0) return Promise.reject(new Error('store unavailable'));
      return Promise.resolve(unfinished-- <= 0);
    },
    { retryMs: 5, logger: silentLogger, what: 'test' },
  );
  work.add('a');
  await waitFor(() => calls.length === 3);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(calls, ['a', 'a', 'a']);
  work.stop();
});

test('a name added while its work runs is worked again at once', async () => {
  const calls: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const work = new PendingWork(
    async (name) => {
      calls.push(name);
      if (calls.length === 1) await gate;
      return true;
    },
    { retryMs: 60_000, logger: silentLogger, what: 'test' },
  );
  work.add('a');
  work.add('a');
  release();
  await waitFor(() => calls.length === 2);
  work.stop();
});
