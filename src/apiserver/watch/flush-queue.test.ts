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

test('a run waits once for a commit on its way, then goes out with what it brought', async () => {
  let pendingResume: (() => void) | undefined;
  let asked = 0;
  const queue = new FlushQueue(
    (err) => assert.fail(String(err)),
    (resume) => {
      asked++;
      pendingResume = resume;
      return true;
    },
  );
  const ran: string[] = [];
  queue.add(() => ran.push('first'));
  await tick();
  assert.deepEqual([...ran], [], 'held while the commit is on its way');
  queue.add(() => ran.push('second'));
  await tick();
  assert.deepEqual([...ran], []);
  pendingResume!();
  await tick();
  assert.deepEqual([...ran], ['first', 'second'], 'one run for both');
  assert.equal(asked, 1, 'the held run does not wait again');
  // A later run asks again.
  queue.add(() => ran.push('third'));
  await tick();
  assert.equal(asked, 2);
  pendingResume!();
  await tick();
  assert.deepEqual(ran, ['first', 'second', 'third']);
});

test('a run goes out at once when nothing is on its way, and after a deadline when the store never answers', async () => {
  const ranNow: string[] = [];
  const idle = new FlushQueue(
    (err) => assert.fail(String(err)),
    () => false,
  );
  idle.add(() => ranNow.push('now'));
  await tick();
  assert.deepEqual(ranNow, ['now']);

  const ranLate: string[] = [];
  const stuck = new FlushQueue(
    (err) => assert.fail(String(err)),
    () => true,
  );
  stuck.add(() => ranLate.push('late'));
  await tick();
  assert.deepEqual([...ranLate], []);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(ranLate, ['late']);
});
