import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/meta.js';
import { podStrategy } from './pod.js';
import { create, lines, update } from './testing.js';

const nginx = { name: 'nginx', image: 'nginx:1.25' };

function gated(spec: Record<string, unknown> = {}): KubeObject {
  const { obj, errors } = create(podStrategy, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      containers: [nginx],
      schedulingGates: [{ name: 'example.com/quota' }, { name: 'wait' }],
      ...spec,
    },
  });
  assert.deepEqual(errors, []);
  obj.metadata = { ...obj.metadata, resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z' };
  return obj;
}

/** An update of `old` with `change` applied to a copy of its spec; the errors as kubectl prints them. */
function updateErrors(old: KubeObject, change: (spec: any) => void): string[] {
  const next = structuredClone(old);
  change(next.spec);
  return lines(update(podStrategy, next, old).errors);
}

test('a gated pod is created PodScheduled=False with reason SchedulingGated', () => {
  const conditions = (gated().status as { conditions?: unknown[] }).conditions;
  assert.deepEqual(conditions, [
    {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: null,
      reason: 'SchedulingGated',
      message: 'Scheduling is blocked due to non-empty scheduling gates',
    },
  ]);
});

test('scheduling gates: qualified names, no duplicates, no nodeName beside them', () => {
  const errors = (spec: Record<string, unknown>) =>
    lines(
      create(podStrategy, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace: 'default' },
        spec: { containers: [nginx], ...spec },
      }).errors,
    );
  assert.deepEqual(errors({ schedulingGates: [{ name: 'a' }, { name: 'a' }] }), [
    'spec.schedulingGates[1]: Duplicate value: "a"',
  ]);
  assert.match(
    errors({ schedulingGates: [{ name: 'not valid' }] })[0] ?? '',
    /^spec\.schedulingGates\[0\]\.name: Invalid value: "not valid"/,
  );
  assert.deepEqual(errors({ schedulingGates: [{ name: 'a' }], nodeName: 'n1' }), [
    'spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared',
  ]);
});

test('gates may be removed, not added', () => {
  const old = gated();
  assert.deepEqual(
    updateErrors(old, (s) => s.schedulingGates.splice(0, 1)),
    [],
  );
  assert.deepEqual(
    updateErrors(old, (s) => delete s.schedulingGates),
    [],
  );
  assert.deepEqual(
    updateErrors(old, (s) => s.schedulingGates.push({ name: 'more' })),
    [
      "spec.schedulingGates[2].name: Forbidden: only deletion is allowed, but found new scheduling gate 'more'",
    ],
  );
  const ungated = structuredClone(old);
  delete (ungated.spec as { schedulingGates?: unknown }).schedulingGates;
  assert.deepEqual(
    updateErrors(ungated, (s) => (s.schedulingGates = [{ name: 'late' }])),
    [
      "spec.schedulingGates[0].name: Forbidden: only deletion is allowed, but found new scheduling gate 'late'",
    ],
  );
});

test('a gated pod may add to its nodeSelector and narrow its required node affinity; others may not', () => {
  const old = gated({ nodeSelector: { disk: 'ssd' } });
  assert.deepEqual(
    updateErrors(old, (s) => (s.nodeSelector.zone = 'a')),
    [],
  );
  assert.deepEqual(
    updateErrors(old, (s) => (s.nodeSelector.disk = 'hdd')),
    [
      'spec.nodeSelector: Invalid value: {"disk":"hdd"}: only additions to spec.nodeSelector are allowed (no mutations or deletions)',
    ],
  );

  const term = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] };
  const required = (terms: unknown[]) => ({
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
  });
  assert.deepEqual(
    updateErrors(old, (s) => (s.affinity = required([term]))),
    [],
    'none before: any may be set',
  );
  const affine = gated({ affinity: required([term]) });
  const narrowed = { matchExpressions: [...term.matchExpressions, { key: 'disk', operator: 'Exists' }] };
  assert.deepEqual(
    updateErrors(affine, (s) => (s.affinity = required([narrowed]))),
    [],
  );
  const path = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms';
  assert.match(
    updateErrors(affine, (s) => (s.affinity = required([term, narrowed])))[0] ?? '',
    new RegExp(
      `^${path}: Invalid value: .*: no additions/deletions to non-empty NodeSelectorTerms list are allowed$`,
    ),
  );
  assert.match(
    updateErrors(affine, (s) => (s.affinity = required([{ matchExpressions: [] }])))[0] ?? '',
    new RegExp(
      `^${path}\\[0\\]: Invalid value: .*: only additions are allowed \\(no mutations or deletions\\)$`,
    ),
  );

  const ungated = structuredClone(old);
  delete (ungated.spec as { schedulingGates?: unknown }).schedulingGates;
  const errs = updateErrors(ungated, (s) => (s.nodeSelector.zone = 'a'));
  assert.equal(errs.length, 1);
  assert.match(errs[0]!, /^spec: Forbidden: pod updates may not change fields other than/);
});
