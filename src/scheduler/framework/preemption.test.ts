import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelSelectorFromObject } from '../../api/labels.js';
import { defaultSchedulerConfig } from '../config.js';
import { NominatedPods } from '../nominator.js';
import { node, nodeInfo, pod, view } from '../testing/fixtures.js';
import { findPreemption, pickCandidate, type Candidate } from './preemption.js';
import { PodScheduler } from './schedule-pod.js';

const fwk = defaultSchedulerConfig().profiles[0]!;
const req = (cpu: string, priority: number, labels: Record<string, string> = {}) => ({
  requests: { cpu },
  priority,
  labels,
});

function preempt(nodes: ReturnType<typeof nodeInfo>[], incoming: ReturnType<typeof pod>, budgets = []) {
  const r = new PodScheduler().schedule(fwk, incoming, view(nodes), new NominatedPods());
  assert.ok('fit' in r, 'the pod must not fit before preemption');
  return findPreemption(fwk, r.state, incoming, r.fit, view(nodes), budgets);
}

test('preemption picks the node with the fewest, lowest-priority victims', () => {
  const nodes = [
    nodeInfo(node('a', { cpu: '2' }), pod('a-mid', {}, req('1500m', 50))),
    nodeInfo(node('b', { cpu: '2' }), pod('b-low1', {}, req('1', 1)), pod('b-low2', {}, req('1', 1))),
    nodeInfo(node('c', { cpu: '2' }), pod('c-low', {}, req('1', 5)), pod('c-tiny', {}, req('500m', 1))),
  ];
  const out = preempt(nodes, pod('p', {}, req('1', 100)));
  assert.ok('candidate' in out);
  // a needs its priority-50 pod gone; b and c each need one priority-1 victim (the rest are reprieved).
  assert.notEqual(out.candidate.node, 'a');
  assert.deepEqual(
    out.candidate.victims.map((v) => v.priority),
    [1],
  );
});

test('no lower-priority pods: the summary says so', () => {
  const nodes = [nodeInfo(node('a', { cpu: '1' }), pod('same', {}, req('1', 100)))];
  const out = preempt(nodes, pod('p', {}, req('1', 100)));
  assert.deepEqual(out, {
    message: 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  });
  const never = preempt(nodes, pod('p', { preemptionPolicy: 'Never' }, req('1', 1000)));
  assert.deepEqual(never, { message: 'preemption: not eligible due to preemptionPolicy=Never.' });
});

test('PodDisruptionBudgets: protected pods are evicted only when nothing else works', () => {
  const nodes = [
    nodeInfo(node('a', { cpu: '1' }), pod('guarded', {}, req('1', 1, { app: 'db' }))),
    nodeInfo(node('b', { cpu: '1' }), pod('free', {}, req('1', 1, { app: 'web' }))),
  ];
  const budgets = [
    {
      namespace: 'default',
      selector: labelSelectorFromObject({ matchLabels: { app: 'db' } }),
      disruptionsAllowed: 0,
    },
  ];
  const out = preempt(nodes, pod('p', {}, req('1', 100)), budgets as never);
  assert.ok('candidate' in out);
  assert.equal(out.candidate.node, 'b');
  assert.equal(out.candidate.pdbViolations, 0);
});

test('pickCandidate tie-breaks', () => {
  const v = (n: string, priority: number) => pod(n, {}, { priority });
  const cands: Candidate[] = [
    { node: 'pdb', victims: [v('a', 1)], pdbViolations: 1 },
    { node: 'high', victims: [v('b', 9)], pdbViolations: 0 },
    { node: 'many', victims: [v('c', 1), v('d', 1)], pdbViolations: 0 },
    { node: 'one', victims: [v('e', 1)], pdbViolations: 0 },
  ];
  assert.equal(pickCandidate(cands).node, 'one');
});
