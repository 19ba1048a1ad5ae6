import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSchedulerConfig, parseSchedulerConfig } from './config.js';
import type { NodeResourcesFit } from './plugins/node-resources/fit.js';

test('default config: one default-scheduler profile with upstream weights and preemption', () => {
  const c = defaultSchedulerConfig();
  assert.equal(c.profiles.length, 1);
  const p = c.profiles[0]!;
  assert.equal(p.name, 'default-scheduler');
  assert.ok(p.preemption);
  assert.deepEqual(Object.fromEntries(p.scorers.map((s) => [s.plugin.name, s.weight])), {
    TaintToleration: 3,
    NodeAffinity: 2,
    NodeResourcesFit: 1,
    PodTopologySpread: 2,
    InterPodAffinity: 2,
    NodeResourcesBalancedAllocation: 1,
    ImageLocality: 1,
  });
  assert.equal(p.plugin<NodeResourcesFit>('NodeResourcesFit')?.scoringStrategy, 'LeastAllocated');
});

test('KubeSchedulerConfiguration: profiles, MostAllocated, disabled plugins, weights', () => {
  const c = parseSchedulerConfig(`
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 30
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packing
  plugins:
    score:
      disabled:
      - name: ImageLocality
      enabled:
      - name: NodeResourcesFit
        weight: 5
    postFilter:
      disabled:
      - name: DefaultPreemption
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
`);
  assert.equal(c.percentageOfNodesToScore, 30);
  assert.deepEqual(
    c.profiles.map((p) => p.name),
    ['default-scheduler', 'bin-packing'],
  );
  const bp = c.profiles[1]!;
  assert.equal(bp.plugin<NodeResourcesFit>('NodeResourcesFit')?.scoringStrategy, 'MostAllocated');
  assert.equal(bp.scorers.find((s) => s.plugin.name === 'NodeResourcesFit')?.weight, 5);
  assert.equal(
    bp.scorers.find((s) => s.plugin.name === 'ImageLocality'),
    undefined,
  );
  assert.equal(bp.preemption, false);
  assert.equal(
    c.profiles[0]!.plugin<NodeResourcesFit>('NodeResourcesFit')?.scoringStrategy,
    'LeastAllocated',
  );
});

test('bad config files are rejected with a reason', () => {
  assert.throws(() => parseSchedulerConfig('apiVersion: v1\nkind: Pod\n'), /apiVersion must be/);
  assert.throws(
    () =>
      parseSchedulerConfig(
        'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- plugins:\n    score:\n      enabled:\n      - name: Nope\n',
      ),
    /unknown plugin Nope/,
  );
});
