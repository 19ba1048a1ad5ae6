import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { pipeExec } from './streams.js';

function collect(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

const noAbort = (): Promise<void> => Promise.resolve();

// `timeout 1 cat` exits 0 at end-of-file and 124 when it is still reading after a second.
const readsForASecond = ['sh', '-c', 'timeout 1 cat; echo "status $?"'];

test('without stdin a process reads end-of-file at once', async () => {
  const out = collect();
  const code = await pipeExec(readsForASecond, { stdin: null, stdout: out.stream, stderr: null }, noAbort);
  assert.equal(code, 0);
  assert.equal(out.text(), 'status 0\n');
});

test('holdStdinOpen: without stdin the process reads nothing, and no end-of-file, until it exits', async () => {
  const out = collect();
  const code = await pipeExec(readsForASecond, { stdin: null, stdout: out.stream, stderr: null }, noAbort, {
    holdStdinOpen: true,
  });
  assert.equal(code, 0);
  assert.equal(out.text(), 'status 124\n');
});

test('holdStdinOpen leaves a given stdin as it is: its end is the end of input', async () => {
  const out = collect();
  const stdin = new PassThrough();
  stdin.end('typed\n');
  const code = await pipeExec(readsForASecond, { stdin, stdout: out.stream, stderr: null }, noAbort, {
    holdStdinOpen: true,
  });
  assert.equal(code, 0);
  assert.equal(out.text(), 'typed\nstatus 0\n');
});
