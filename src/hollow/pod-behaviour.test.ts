import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { indexOfLoopback, loopbackAddress } from './node-object.js';
import { commandOutcome, planPod } from './pod-behaviour.js';

test('true/false commands and shell scripts', () => {
  const c = (command?: string[], args?: string[]) => ({
    name: 'c',
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
  });
  assert.equal(commandOutcome(c(['true'])), 'succeed');
  assert.equal(commandOutcome(c(['/bin/true'])), 'succeed');
  assert.equal(commandOutcome(c(['sh', '-c', 'true'])), 'succeed');
  assert.equal(commandOutcome(c(['/bin/sh', '-c', 'exit 0'])), 'succeed');
  assert.equal(commandOutcome(c(undefined, ['true'])), 'succeed');
  assert.equal(commandOutcome(c(['false'])), 'fail');
  assert.equal(commandOutcome(c(['sh', '-c', 'exit 3'])), 'fail');
  assert.equal(commandOutcome(c(['sleep', '3600'])), 'run');
  assert.equal(commandOutcome(c()), 'run');
});

test('plans: exit codes, run-seconds, readiness annotations', () => {
  const pod = (containers: Container[], annotations?: Record<string, string>): Pod => ({
    metadata: { name: 'p', ...(annotations ? { annotations } : {}) },
    spec: { containers },
  });
  assert.deepEqual(planPod(pod([{ name: 'c', command: ['sh', '-c', 'exit 3'] }])), {
    exitAfterMs: 500,
    exitCode: 3,
    readyAfterMs: 0,
  });
  assert.deepEqual(planPod(pod([{ name: 'c' }], { 'hollow.tugboat.dev/run-seconds': '5' })), {
    exitAfterMs: 5000,
    exitCode: 0,
    readyAfterMs: 0,
  });
  assert.deepEqual(planPod(pod([{ name: 'c' }], { 'hollow.tugboat.dev/ready': 'false' })), { exitCode: 0 });
  assert.deepEqual(planPod(pod([{ name: 'c' }], { 'hollow.tugboat.dev/ready-seconds': '2' })), {
    exitCode: 0,
    readyAfterMs: 2000,
  });
  // Two containers: commands are not interpreted.
  assert.deepEqual(planPod(pod([{ name: 'a', command: ['true'] }, { name: 'b' }])), {
    exitCode: 0,
    readyAfterMs: 0,
  });
});

test('loopback addresses round-trip', () => {
  assert.equal(loopbackAddress(0), '127.1.0.1');
  assert.equal(loopbackAddress(300), '127.1.1.45');
  for (const i of [0, 1, 254, 255, 256, 70_000]) assert.equal(indexOfLoopback(loopbackAddress(i)), i);
  assert.equal(indexOfLoopback('::ffff:127.1.0.2'), 1);
  assert.equal(indexOfLoopback('127.0.0.1'), undefined);
  assert.equal(indexOfLoopback('10.0.0.1'), undefined);
});
