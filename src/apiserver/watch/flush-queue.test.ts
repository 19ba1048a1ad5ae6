import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { FlushQueue } from './flush-queue.js';

test('callbacks added in one turn run together in the next immediate, in order', async () => {
  const queue = new FlushQueue((err) => assert.fail(String(err)));
  const ran: string[] = [];
  queue.add(() => ran.push('a'));
  queue.add(() => ran.push('b'));
  assert.deepEqual([...ran], []);
  await tick();
  assert.deepEqual([...ran], ['a', 'b']);
  queue.add(() => ran.push('c'));
  await tick();
  assert.deepEqual(ran, ['a', 'b', 'c']);
});

test('a failing callback does not keep the others from running, and its error surfaces', async () => {
  const errors: unknown[] = [];
  const queue = new FlushQueue((err) => errors.push(err));
  const ran: string[] = [];
  queue.add(() => {
    throw new Error('broken stream');
  });
  queue.add(() => ran.push('after'));
  await tick();
  assert.deepEqual([...ran], ['after']);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /broken stream/);
  // The queue keeps working afterwards.
  queue.add(() => ran.push('later'));
  await tick();
  assert.deepEqual(ran, ['after', 'later']);
});
