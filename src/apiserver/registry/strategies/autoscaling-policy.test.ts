import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { horizontalPodAutoscalerStrategy } from './hpa.js';
import { workloadStrategies } from './index.js';
import { podDisruptionBudgetStrategy } from './pdb.js';
import { create, lines } from './testing.js';

const hpa = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec,
});

const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

void describe('HorizontalPodAutoscaler', () => {
  void test('defaults', () => {
    const { obj, errors } = create(
      horizontalPodAutoscalerStrategy,
      hpa({ scaleTargetRef: target, maxReplicas: 5 }),
    );
    assert.deepEqual(errors, []);
    const spec = obj.spec as any;
    assert.equal(spec.minReplicas, 1);
    assert.deepEqual(spec.metrics, [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ]);
    assert.equal(spec.behavior, undefined);
    assert.deepEqual(obj.status, { desiredReplicas: 0 });
  });

  void test('behavior defaults fill the gaps', () => {
    const { obj } = create(
      horizontalPodAutoscalerStrategy,
      hpa({
        scaleTargetRef: target,
        maxReplicas: 5,
        behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
      }),
    );
    assert.deepEqual((obj.spec as any).behavior, {
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: {
        stabilizationWindowSeconds: 60,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      },
    });
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'max below min',
      { scaleTargetRef: target, minReplicas: 3, maxReplicas: 2 },
      ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`'],
    ],
    [
      'zero max',
      { scaleTargetRef: target, maxReplicas: 0 },
      [
        'spec.maxReplicas: Invalid value: 0: must be greater than 0',
        'spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`',
      ],
    ],
    [
      'minReplicas zero',
      { scaleTargetRef: target, minReplicas: 0, maxReplicas: 2 },
      ['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1'],
    ],
    [
      'scaleTargetRef required',
      { maxReplicas: 2 },
      ['spec.scaleTargetRef.kind: Required value', 'spec.scaleTargetRef.name: Required value'],
    ],
    [
      'resource metric without target values',
      {
        scaleTargetRef: target,
        maxReplicas: 2,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }],
      },
      [
        'spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization',
      ],
    ],
    [
      'unknown metric type',
      { scaleTargetRef: target, maxReplicas: 2, metrics: [{ type: 'Magic' }] },
      [
        'spec.metrics[0].type: Unsupported value: "Magic": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
      ],
    ],
    [
      'bad policy',
      {
        scaleTargetRef: target,
        maxReplicas: 2,
        behavior: { scaleUp: { policies: [{ type: 'Pods', value: 0, periodSeconds: 2000 }] } },
      },
      [
        'spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero',
        'spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 2000: must be less than or equal to 1800',
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () =>
      assert.deepEqual(lines(create(horizontalPodAutoscalerStrategy, hpa(spec)).errors), want),
    );
  }
});

const pdb = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'default' },
  spec,
});

void describe('PodDisruptionBudget', () => {
  const selector = { matchLabels: { app: 'web' } };
  void test('valid, status zeroed', () => {
    const { obj, errors } = create(podDisruptionBudgetStrategy, pdb({ minAvailable: '50%', selector }));
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.status, {
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
    });
  });
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'both set',
      { minAvailable: 1, maxUnavailable: 1, selector },
      [
        'spec: Invalid value: {"minAvailable":1,"maxUnavailable":1,"selector":{"matchLabels":{"app":"web"}}}: minAvailable and maxUnavailable cannot be both set',
      ],
    ],
    [
      'over 100%',
      { maxUnavailable: '150%', selector },
      ['spec.maxUnavailable: Invalid value: 150%: must not be greater than 100%'],
    ],
    [
      'negative',
      { minAvailable: -1, selector },
      ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'bad eviction policy',
      { minAvailable: 1, selector, unhealthyPodEvictionPolicy: 'Never' },
      [
        'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () =>
      assert.deepEqual(lines(create(podDisruptionBudgetStrategy, pdb(spec)).errors), want),
    );
  }
});

void describe('workloadStrategies', () => {
  void test('keys are plural.group', () => {
    assert.deepEqual(Object.keys(workloadStrategies).sort(), [
      'controllerrevisions.apps',
      'cronjobs.batch',
      'daemonsets.apps',
      'deployments.apps',
      'horizontalpodautoscalers.autoscaling',
      'jobs.batch',
      'poddisruptionbudgets.policy',
      'pods',
      'podtemplates',
      'replicasets.apps',
      'replicationcontrollers',
      'statefulsets.apps',
    ]);
  });
});
