import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podsToDelete } from './pods-to-delete.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number): string => new Date(now - s * 1000).toISOString().replace('.000Z', 'Z');

function pod(
  name: string,
  o: {
    node?: string;
    phase?: string;
    ready?: boolean;
    readySince?: number;
    restarts?: number;
    age?: number;
    cost?: number;
  } = {},
): Pod {
  return {
    metadata: {
      name,
      uid: name,
      creationTimestamp: ago(o.age ?? 3600),
      ...(o.cost !== undefined
        ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } }
        : {}),
    },
    spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [
        {
          type: 'Ready',
          status: o.ready === false ? 'False' : 'True',
          lastTransitionTime: ago(o.readySince ?? 3000),
        },
      ],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: true, restartCount: o.restarts ?? 0 }],
    },
  };
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata?.name ?? '');

test('unscheduled, then pending, then not ready pods go first', () => {
  const pods = [
    pod('running', { node: 'n1' }),
    pod('unready', { node: 'n1', ready: false }),
    pod('pending', { node: 'n1', phase: 'Pending', ready: false }),
    pod('unscheduled', { phase: 'Pending', ready: false }),
    pod('unknown', { node: 'n1', phase: 'Unknown', ready: false }),
  ];
  assert.deepEqual(names(podsToDelete(pods, pods, 4, now)), ['unscheduled', 'pending', 'unknown', 'unready']);
});

test('lower deletion cost first, then doubled-up nodes first', () => {
  const pods = [
    pod('cheap', { node: 'n1', cost: -5 }),
    pod('alone', { node: 'n2' }),
    pod('crowded', { node: 'n3' }),
  ];
  const related = [...pods, pod('sibling', { node: 'n3' })];
  assert.deepEqual(names(podsToDelete(pods, related, 2, now)), ['cheap', 'crowded']);
});

test('ready for less time first, then more restarts first, then newer first', () => {
  const recent = pod('recently-ready', { node: 'n1', readySince: 10 });
  const long = pod('long-ready', { node: 'n2', readySince: 100_000 });
  assert.deepEqual(names(podsToDelete([long, recent], [long, recent], 1, now)), ['recently-ready']);

  const restarts = pod('restarts', { node: 'n1', restarts: 3 });
  const calm = pod('calm', { node: 'n2' });
  assert.deepEqual(names(podsToDelete([calm, restarts], [calm, restarts], 1, now)), ['restarts']);

  const young = pod('young', { node: 'n1', age: 60, readySince: 3000 });
  const old = pod('old', { node: 'n2', age: 100_000, readySince: 3000 });
  assert.deepEqual(names(podsToDelete([old, young], [old, young], 1, now)), ['young']);
});

test('asking for all pods returns them all', () => {
  const pods = [pod('a'), pod('b')];
  assert.equal(podsToDelete(pods, pods, 5, now).length, 2);
});
