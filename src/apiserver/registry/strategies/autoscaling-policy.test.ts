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
      'a metric type named like an object member',
      { scaleTargetRef: target, maxReplicas: 2, metrics: [{ type: 'constructor' }] },
      [
        'spec.metrics[0].type: Unsupported value: "constructor": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
      ],
    ],
    [
      'a metric target without a type',
      {
        scaleTargetRef: target,
        maxReplicas: 2,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { averageUtilization: 50 } } }],
      },
      [
        'spec.metrics[0].resource.target.type: Required value: must specify a metric target type',
        'spec.metrics[0].resource.target.type: Invalid value: "": must be either Utilization, Value, or AverageValue',
      ],
    ],
    [
      'pods metric needs an average value; metric names are path segments',
      {
        scaleTargetRef: target,
        maxReplicas: 2,
        metrics: [
          { type: 'Pods', pods: { metric: { name: 'a/b' }, target: { type: 'Value', value: '10' } } },
        ],
      },
      [
        `spec.metrics[0].pods.metric.name: Invalid value: "a/b": may not contain '/'`,
        'spec.metrics[0].pods.target.averageValue: Required value: must specify a positive target averageValue',
      ],
    ],
    [
      'external metric with both a value and an average value',
      {
        scaleTargetRef: target,
        maxReplicas: 2,
        metrics: [
          {
            type: 'External',
            external: { metric: { name: 'queue' }, target: { type: 'Value', value: '1', averageValue: '2' } },
          },
        ],
      },
      [
        'spec.metrics[0].external.target.value: Forbidden: may not set both a target value for metric and a per-pod target',
      ],
    ],
    [
      'object metric without a value',
      {
        scaleTargetRef: target,
        maxReplicas: 2,
        metrics: [
          {
            type: 'Object',
            object: {
              describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' },
              metric: {},
              target: { type: 'Value' },
            },
          },
        ],
      },
      [
        'spec.metrics[0].object.metric.name: Required value: must specify a metric name',
        'spec.metrics[0].object.target.averageValue: Required value: must set either a target value or averageValue',
      ],
    ],
    [
      'container resource: resource name and container name',
      {
        scaleTargetRef: target,
        maxReplicas: 2,
        metrics: [
          {
            type: 'ContainerResource',
            containerResource: {
              name: 'gpu',
              container: 'Web_1',
              target: { type: 'Utilization', averageUtilization: 0 },
            },
          },
        ],
      },
      [
        'spec.metrics[0].containerResource.name: Invalid value: "gpu": must be a standard resource type or fully qualified',
        'spec.metrics[0].containerResource.name: Invalid value: "gpu": must be a standard resource for containers',
        "spec.metrics[0].containerResource.container: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        'spec.metrics[0].containerResource.target.averageUtilization: Invalid value: 0: must be greater than 0',
      ],
    ],
    [
      'a source other than the type names; with two, only the first in upstream order is checked',
      {
        scaleTargetRef: target,
        maxReplicas: 2,
        metrics: [
          { type: 'Resource', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue' } } },
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
            pods: { metric: { name: 'qps' }, target: { type: 'AverageValue' } },
          },
        ],
      },
      [
        'spec.metrics[0].pods.target.averageValue: Required value: must specify a positive target averageValue',
        'spec.metrics[0].resource: Required value: must populate information for the given metric source',
        'spec.metrics[1].pods.target.averageValue: Required value: must specify a positive target averageValue',
        'spec.metrics[1].pods: Forbidden: must populate the given metric source only',
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
