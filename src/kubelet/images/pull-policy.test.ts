import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pullDecision } from './pull-policy.js';

void test('imagePullPolicy decides between pulling, the present image and ErrImageNeverPull', () => {
  assert.equal(pullDecision('Always', true), 'pull');
  assert.equal(pullDecision('Always', false), 'pull');
  assert.equal(pullDecision('IfNotPresent', true), 'use-present');
  assert.equal(pullDecision('IfNotPresent', false), 'pull');
  assert.equal(pullDecision('Never', true), 'use-present');
  assert.equal(pullDecision('Never', false), 'ErrImageNeverPull');
  assert.equal(pullDecision(undefined, false), 'pull');
});
