import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { TriggerTimeTracker } from './trigger-time.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');
const service = (created: number): Service => ({ metadata: { name: 's', creationTimestamp: at(created) } });
const pod = (name: string, readySince?: number): Pod => ({
  metadata: { name },
  status:
    readySince === undefined
      ? {}
      : { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at(readySince) }] },
});

void test('first sync: the Service creation; then the earliest change since the previous sync', () => {
  const t = new TriggerTimeTracker();
  assert.equal(t.compute('ns/s', service(0), [pod('a', 5)]), T0);
  // Nothing moved: no trigger.
  assert.equal(t.compute('ns/s', service(0), [pod('a', 5)]), undefined);
  // Two pods changed: the earlier one.
  assert.equal(t.compute('ns/s', service(0), [pod('a', 9), pod('b', 7)]), T0 + 7000);
  // A pod without Ready condition has no trigger time.
  assert.equal(t.compute('ns/s', service(0), [pod('a', 9), pod('b', 7), pod('c')]), undefined);
  // A recreated Service (new creation time) triggers.
  assert.equal(t.compute('ns/s', service(20), [pod('a', 9), pod('b', 7)]), T0 + 20_000);
  t.delete('ns/s');
  assert.equal(t.compute('ns/s', service(30), []), T0 + 30_000);
});
