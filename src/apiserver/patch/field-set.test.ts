import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allValuesToCompare,
  compareValues,
  createdFieldsV1,
  toFieldsV1,
  union,
  updateValues,
} from './field-set.js';

const T = '2026-11-22T01:00:00Z';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'default',
    uid: 'u1',
    creationTimestamp: T,
    labels: { app: 'web', 'pod-template-hash': 'abc' },
    annotations: { note: 'x' },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs', controller: true },
    ],
    managedFields: [
      { manager: 'm', operation: 'Update', apiVersion: 'v1', time: T, fieldsType: 'FieldsV1', fieldsV1: {} },
    ],
  },
  spec: {
    containers: [
      {
        name: 'nginx',
        image: 'nginx:1.27',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        resources: { requests: { cpu: '100m', memory: '64Mi' } },
        env: [{ name: 'A', value: '1' }],
      },
      { name: 'side', image: 'busybox', command: ['sleep', '3600'] },
    ],
    restartPolicy: 'Always',
    nodeSelector: { disk: 'ssd' },
    securityContext: {},
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  },
  status: {
    phase: 'Running',
    podIP: '10.42.0.5',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: T }],
    containerStatuses: [
      { name: 'nginx', ready: true, restartCount: 0, state: { running: { startedAt: T } } },
    ],
  },
};

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] },
    },
  },
  status: { replicas: 3, conditions: [{ type: 'Available', status: 'True' }] },
};

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = Record<string, unknown> | unknown[];

/** Every object and array inside value, with value itself. */
function containers(value: unknown, out: Json[] = []): Json[] {
  if (value !== null && typeof value === 'object') {
    out.push(value as Json);
    for (const v of Object.values(value)) containers(v, out);
  }
  return out;
}

const replacements = (rnd: () => number): unknown[] => [
  'changed',
  42,
  true,
  null,
  {},
  [],
  { fresh: 'x' },
  [{ name: 'nginx', image: 'other' }],
  String(Math.floor(rnd() * 3)),
];

/** A copy of obj with a few random changes: members removed, replaced, added; list items dropped or added. */
function mutate(obj: unknown, rnd: () => number): unknown {
  const copy = structuredClone(obj);
  const changes = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < changes; i++) {
    const all = containers(copy);
    const target = all[Math.floor(rnd() * all.length)]!;
    const values = replacements(rnd);
    const pick = values[Math.floor(rnd() * values.length)];
    if (Array.isArray(target)) {
      if (target.length > 0 && rnd() < 0.5) target.splice(Math.floor(rnd() * target.length), 1);
      else target.push(structuredClone(target[0] ?? pick));
      continue;
    }
    const keys = Object.keys(target);
    const roll = rnd();
    if (keys.length > 0 && roll < 0.3) delete target[keys[Math.floor(rnd() * keys.length)]!];
    else if (keys.length > 0 && roll < 0.8)
      target[keys[Math.floor(rnd() * keys.length)]!] = structuredClone(pick);
    else target[`added${i}`] = structuredClone(pick);
  }
  return copy;
}

const sorted = (s: Set<string>): string[] => [...s].sort();

/** The objects the differential tests mutate, whole objects and status alike. */
const CASES = [
  { obj: pod, gvk: { group: '', kind: 'Pod' } },
  { obj: deployment, gvk: { group: 'apps', kind: 'Deployment' } },
];
const SUBRESOURCES = [{}, { subresource: 'status' }];

void test('leaving out the members both objects share does not change what an update changed', () => {
  const rnd = random(20261204);
  let compared = 0;
  for (const { obj, gvk } of CASES) {
    for (let i = 0; i < 1500; i++) {
      const old = rnd() < 0.2 ? mutate(obj, rnd) : obj;
      const updated = mutate(old, rnd);
      for (const opts of SUBRESOURCES) {
        const fast = updateValues(old, updated, gvk, opts);
        const full = allValuesToCompare(old, updated, gvk, opts);
        const got = compareValues(fast.before, fast.after);
        const want = compareValues(full.before, full.after);
        const where = `${gvk.kind} case ${i} ${JSON.stringify(opts)}`;
        assert.deepEqual(sorted(got.added), sorted(want.added), where);
        assert.deepEqual(sorted(got.modified), sorted(want.modified), where);
        assert.deepEqual(sorted(got.removed), sorted(want.removed), where);
        compared++;
      }
    }
  }
  assert.equal(compared, 6000);
});

void test('an update that changes nothing compares equal, and one changed field is all that differs', () => {
  const gvk = { group: '', kind: 'Pod' };
  const same = updateValues(pod, structuredClone(pod), gvk);
  const none = compareValues(same.before, same.after);
  assert.equal(none.added.size + none.modified.size + none.removed.size, 0);
  const bound = structuredClone(pod) as typeof pod & { spec: { nodeName?: string } };
  bound.spec.nodeName = 'node-1';
  const diff = updateValues(pod, bound, gvk);
  const changed = compareValues(diff.before, diff.after);
  assert.deepEqual(sorted(changed.added), ['["f:spec","f:nodeName"]']);
  assert.equal(changed.modified.size + changed.removed.size, 0);
});

void test('the FieldsV1 of a create is what an update from nothing changes', () => {
  const rnd = random(20261205);
  let compared = 0;
  for (const { obj, gvk } of CASES) {
    for (let i = 0; i < 1500; i++) {
      const created = i === 0 ? obj : mutate(rnd() < 0.5 ? obj : mutate(obj, rnd), rnd);
      for (const opts of SUBRESOURCES) {
        const full = allValuesToCompare(undefined, created, gvk, opts);
        const changed = compareValues(full.before, full.after);
        const want = toFieldsV1(union(changed.added, changed.modified));
        // Same members in the same order: the stored bytes must not depend on the path taken.
        const where = `${gvk.kind} case ${i} ${JSON.stringify(opts)}`;
        assert.equal(JSON.stringify(createdFieldsV1(created, gvk, opts)), JSON.stringify(want), where);
        compared++;
      }
    }
  }
  assert.equal(compared, 6000);
  // The typed zero value's maps and lists (spec, template, containers) are not the creator's own members.
  const fields = createdFieldsV1(deployment, { group: 'apps', kind: 'Deployment' }) as {
    'f:spec': Record<string, unknown>;
    'f:metadata': Record<string, unknown>;
  };
  assert.equal('.' in fields['f:spec'], false);
  assert.deepEqual(fields['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
});
