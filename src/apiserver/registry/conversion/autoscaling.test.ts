import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { aliasesByResource, HPA_ANNOTATIONS } from './index.js';

const aliases = aliasesByResource['horizontalpodautoscalers.autoscaling'] ?? [];
const byVersion = (v: string) => {
  const a = aliases.find((x) => x.version === v);
  assert.ok(a, `autoscaling/${v}`);
  return a;
};

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

const v1Hpa: KubeObject = {
  apiVersion: 'autoscaling/v1',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 80 },
  status: { currentReplicas: 3, desiredReplicas: 3, currentCPUUtilizationPercentage: 42 },
};

const memory = {
  type: 'Resource',
  resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } },
};
const rps = {
  type: 'Pods',
  pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '100' } },
};
const cpu = {
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
};

const v2Hpa: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    scaleTargetRef: ref,
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [memory, rps, cpu], // upstream puts the cpu target last when it reads v1 back
    behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
  },
  status: {
    currentReplicas: 3,
    desiredReplicas: 4,
    currentMetrics: [
      { type: 'Resource', resource: { name: 'memory', current: { averageValue: '300Mi' } } },
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: 42, averageValue: '84m' } },
      },
    ],
    conditions: [
      {
        type: 'AbleToScale',
        status: 'True',
        reason: 'ReadyForNewScale',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ],
  },
};

void describe('autoscaling/v1 ↔ autoscaling/v2', () => {
  const v1 = byVersion('v1');

  void test('autoscaling/v1 is not deprecated', () => assert.equal(v1.warning, undefined));

  void test('targetCPUUtilizationPercentage becomes a cpu Utilization metric', () => {
    const v2 = v1.toCanonical(v1Hpa);
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assert.deepEqual((v2.spec as any).metrics, [cpu]);
    assert.deepEqual((v2.status as any).currentMetrics, [
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42 } } },
    ]);
    assert.equal((v2.spec as any).targetCPUUtilizationPercentage, undefined);
  });

  void test('without any target, v1 means the old implicit 80% cpu', () => {
    const bare: KubeObject = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: ref, maxReplicas: 4 },
    };
    assert.deepEqual((v1.toCanonical(bare).spec as any).metrics, [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ]);
  });

  void test('v1 → v2 → v1 round trips', () => {
    assert.deepEqual(v1.fromCanonical(v1.toCanonical(v1Hpa)), {
      ...v1Hpa,
      metadata: {
        ...v1Hpa.metadata,
        annotations: {
          [HPA_ANNOTATIONS.currentMetrics]: JSON.stringify([
            { type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: 42 } },
          ]),
        },
      },
    });
  });

  void test('v2 → v1 keeps other metrics, statuses, conditions and behavior in annotations', () => {
    const old = v1.fromCanonical(v2Hpa);
    assert.equal(old.apiVersion, 'autoscaling/v1');
    assert.deepEqual(old.spec, {
      scaleTargetRef: ref,
      minReplicas: 2,
      maxReplicas: 10,
      targetCPUUtilizationPercentage: 80,
    });
    assert.deepEqual(old.status, {
      currentReplicas: 3,
      desiredReplicas: 4,
      currentCPUUtilizationPercentage: 42,
    });
    const annotations = old.metadata?.annotations ?? {};
    assert.deepEqual(JSON.parse(annotations[HPA_ANNOTATIONS.metrics] ?? 'null'), [
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '500Mi' } },
      { type: 'Pods', pods: { metricName: 'rps', targetAverageValue: '100' } },
    ]);
    assert.ok(annotations[HPA_ANNOTATIONS.conditions]);
    assert.ok(annotations[HPA_ANNOTATIONS.behavior]);
  });

  void test('v2 → v1 → v2 round trips', () => {
    assert.deepEqual(v1.toCanonical(v1.fromCanonical(v2Hpa)), v2Hpa);
  });
});

void describe('autoscaling/v2beta1 and v2beta2', () => {
  void test('v2beta2 has the v2 shape and a deprecation warning', () => {
    const a = byVersion('v2beta2');
    assert.equal(
      a.warning,
      'autoscaling/v2beta2 HorizontalPodAutoscaler is deprecated in v1.23+, unavailable in v1.26+; use autoscaling/v2 HorizontalPodAutoscaler',
    );
    const v2 = a.toCanonical({ ...v2Hpa, apiVersion: 'autoscaling/v2beta2' });
    assert.deepEqual(v2, v2Hpa);
    assert.equal(a.fromCanonical(v2Hpa).apiVersion, 'autoscaling/v2beta2');
  });

  void test('v2beta1 metrics convert to v2 and back', () => {
    const a = byVersion('v2beta1');
    const old: KubeObject = {
      apiVersion: 'autoscaling/v2beta1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: ref,
        maxReplicas: 5,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', targetAverageUtilization: 50 } },
          {
            type: 'Object',
            object: { target: { kind: 'Service', name: 'web' }, metricName: 'rps', targetValue: '10k' },
          },
          { type: 'External', external: { metricName: 'queue', targetAverageValue: '30' } },
        ],
      },
    };
    const v2 = a.toCanonical(old);
    assert.deepEqual((v2.spec as any).metrics, [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
      },
      {
        type: 'Object',
        object: {
          describedObject: { kind: 'Service', name: 'web' },
          metric: { name: 'rps' },
          target: { type: 'Value', value: '10k' },
        },
      },
      {
        type: 'External',
        external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '30' } },
      },
    ]);
    assert.deepEqual(a.fromCanonical(v2), old);
  });
});
