import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limitWithRules, ScalingHistory } from './behavior.js';

test('without behavior: scale-up rate max(2x, 4), min and max', () => {
  assert.deepEqual(limitWithRules(1, 10, 1, 20).replicas, 4);
  assert.equal(limitWithRules(1, 10, 1, 20).reason, 'ScaleUpLimit');
  assert.equal(limitWithRules(5, 10, 1, 8).reason, 'TooManyReplicas');
  assert.equal(limitWithRules(5, 0, 2, 8).replicas, 2);
  assert.equal(limitWithRules(5, 6, 2, 8).reason, 'DesiredWithinRange');
});

test('downscale stabilization keeps the highest recent recommendation', () => {
  const h = new ScalingHistory(60_000);
  h.recordInitial('k', 4, 0);
  assert.equal(h.stabilize('k', 2, 1_000), 4);
  assert.equal(h.stabilize('k', 2, 62_000), 2);
});

test('behavior: stabilization windows in both directions', () => {
  const h = new ScalingHistory();
  const behavior = {
    scaleUp: { stabilizationWindowSeconds: 30 },
    scaleDown: { stabilizationWindowSeconds: 60 },
  };
  h.recordInitial('k', 3, 0);
  assert.equal(h.stabilizeWithBehavior('k', 3, 6, behavior, 1_000).replicas, 3);
  assert.equal(h.stabilizeWithBehavior('k', 3, 6, behavior, 40_000).replicas, 6);
  const down = h.stabilizeWithBehavior('k', 6, 1, behavior, 45_000);
  assert.equal(down.replicas, 6);
  assert.equal(down.reason, 'ScaleDownStabilized');
});

test('behavior: rate policies with selectPolicy and past scale events', () => {
  const h = new ScalingHistory();
  const behavior = {
    scaleUp: {
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 2, periodSeconds: 60 },
        { type: 'Percent', value: 50, periodSeconds: 60 },
      ],
    },
    scaleDown: {
      selectPolicy: 'Min',
      policies: [
        { type: 'Pods', value: 1, periodSeconds: 60 },
        { type: 'Percent', value: 50, periodSeconds: 60 },
      ],
    },
  };
  // From 10: +2 pods or +50% → Max picks 15.
  assert.equal(h.limitRate('k', 10, 30, 1, 100, behavior, 0).replicas, 15);
  h.recordScale('k', behavior, 10, 15, 0);
  // Within the period the 5 added already count: the period started at 10 → still 15.
  const again = h.limitRate('k', 15, 30, 1, 100, behavior, 10_000);
  assert.equal(again.replicas, 15);
  assert.equal(again.reason, 'ScaleUpLimit');
  // Scale down with Min: the smaller change (-1) wins.
  assert.equal(h.limitRate('k', 15, 1, 1, 100, behavior, 120_000).replicas, 14);
  assert.equal(
    h.limitRate('k', 15, 1, 1, 100, { scaleDown: { selectPolicy: 'Disabled' } }, 120_000).replicas,
    15,
  );
});
