import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { leaseStrategy } from './cluster-lease.js';
import { priorityClassStrategy as pc } from './cluster-priorityclass.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);
const named = (name: string, extra: Record<string, unknown>): KubeObject => ({
  metadata: { name },
  ...extra,
});

void describe('PriorityClass', () => {
  void test('defaults preemptionPolicy', () => {
    const obj = named('high', { value: 1000 });
    pc.defaults?.(obj);
    assert.equal(obj.preemptionPolicy, 'PreemptLowerPriority');
    assert.deepEqual(lines(pc.validate?.(obj)), []);
  });

  const cases: [string, KubeObject, string[]][] = [
    ['value required', named('x', {}), ['value: Required value']],
    [
      'user values are capped',
      named('x', { value: 1_000_000_001 }),
      ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'],
    ],
    [
      'system- names reserved',
      named('system-mine', { value: 1 }),
      [
        "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
      ],
    ],
    ['known system class', named('system-node-critical', { value: 2_000_001_000 }), []],
    [
      'preemption policy',
      named('x', { value: 1, preemptionPolicy: 'Sometimes' }),
      ['preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"'],
    ],
  ];
  for (const [name, obj, want] of cases) {
    void test(name, () => assert.deepEqual(lines(pc.validate?.(obj)), want));
  }

  void test('value and preemptionPolicy immutable', () => {
    const old = named('x', { value: 1, preemptionPolicy: 'Never' });
    const next = named('x', { value: 2, preemptionPolicy: 'PreemptLowerPriority' });
    assert.deepEqual(lines(pc.validateUpdate?.(next, old)), [
      'value: Forbidden: may not be changed in an update.',
      'preemptionPolicy: Invalid value: "PreemptLowerPriority": field is immutable',
    ]);
  });
});

void describe('Lease', () => {
  void test('durations', () => {
    assert.deepEqual(
      lines(leaseStrategy.validate?.({ spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } })),
      [],
    );
    assert.deepEqual(
      lines(leaseStrategy.validate?.({ spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } })),
      [
        'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
        'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
      ],
    );
    assert.deepEqual(lines(leaseStrategy.validate?.({ spec: { strategy: 'Newest' } })), [
      'spec.strategy.strategy: Unsupported value: "Newest": supported values: "OldestEmulationVersion"',
    ]);
    assert.deepEqual(lines(leaseStrategy.validate?.({ spec: { strategy: 'example.com/mine' } })), []);
    assert.deepEqual(lines(leaseStrategy.validate?.({ spec: { preferredHolder: 'b' } })), [
      'spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined',
    ]);
  });
});
