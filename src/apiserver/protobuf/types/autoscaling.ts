/** autoscaling/v1 and autoscaling/v2. */
import { declare } from '../schema.js';

declare('autoscaling', {
  HorizontalPodAutoscaler: {
    metadata: '1 meta.ObjectMeta',
    spec: '2 HorizontalPodAutoscalerSpec',
    status: '3 HorizontalPodAutoscalerStatus',
  },
  HorizontalPodAutoscalerSpec: {
    scaleTargetRef: '1 CrossVersionObjectReference',
    minReplicas: '2 *int32',
    maxReplicas: '3 int32',
    targetCPUUtilizationPercentage: '4 *int32',
  },
  CrossVersionObjectReference: { kind: '1 string', name: '2 string', apiVersion: '3 string' },
  HorizontalPodAutoscalerStatus: {
    observedGeneration: '1 *int64',
    lastScaleTime: '2 *meta.Time',
    currentReplicas: '3 !int32',
    desiredReplicas: '4 !int32',
    currentCPUUtilizationPercentage: '5 *int32',
  },
  Scale: { metadata: '1 meta.ObjectMeta', spec: '2 ScaleSpec', status: '3 ScaleStatus' },
  ScaleSpec: { replicas: '1 int32' },
  ScaleStatus: { replicas: '1 !int32', selector: '2 string' },
});

declare('autoscalingv2', {
  HorizontalPodAutoscaler: {
    metadata: '1 meta.ObjectMeta',
    spec: '2 HorizontalPodAutoscalerSpec',
    status: '3 HorizontalPodAutoscalerStatus',
  },
  HorizontalPodAutoscalerSpec: {
    scaleTargetRef: '1 CrossVersionObjectReference',
    minReplicas: '2 *int32',
    maxReplicas: '3 int32',
    metrics: '4 []MetricSpec',
    behavior: '5 *HorizontalPodAutoscalerBehavior',
  },
  CrossVersionObjectReference: { kind: '1 string', name: '2 string', apiVersion: '3 string' },
  MetricSpec: {
    type: '1 string',
    object: '2 *ObjectMetricSource',
    pods: '3 *PodsMetricSource',
    resource: '4 *ResourceMetricSource',
    containerResource: '7 *ContainerResourceMetricSource',
    external: '5 *ExternalMetricSource',
  },
  ObjectMetricSource: {
    describedObject: '1 CrossVersionObjectReference',
    target: '2 MetricTarget',
    metric: '3 MetricIdentifier',
  },
  PodsMetricSource: { metric: '1 MetricIdentifier', target: '2 MetricTarget' },
  ResourceMetricSource: { name: '1 string', target: '2 MetricTarget' },
  ContainerResourceMetricSource: { name: '1 string', target: '2 MetricTarget', container: '3 string' },
  ExternalMetricSource: { metric: '1 MetricIdentifier', target: '2 MetricTarget' },
  MetricIdentifier: { name: '1 string', selector: '2 *meta.LabelSelector' },
  MetricTarget: {
    type: '1 string',
    value: '2 *meta.Quantity',
    averageValue: '3 *meta.Quantity',
    averageUtilization: '4 *int32',
  },
  HorizontalPodAutoscalerBehavior: { scaleUp: '1 *HPAScalingRules', scaleDown: '2 *HPAScalingRules' },
  HPAScalingRules: {
    stabilizationWindowSeconds: '3 *int32',
    selectPolicy: '1 *string',
    policies: '2 []HPAScalingPolicy',
    tolerance: '4 *meta.Quantity',
  },
  HPAScalingPolicy: { type: '1 string', value: '2 !int32', periodSeconds: '3 !int32' },
  HorizontalPodAutoscalerStatus: {
    observedGeneration: '1 *int64',
    lastScaleTime: '2 *meta.Time',
    currentReplicas: '3 int32',
    desiredReplicas: '4 !int32',
    currentMetrics: '5 []MetricStatus',
    conditions: '6 []HorizontalPodAutoscalerCondition',
  },
  MetricStatus: {
    type: '1 string',
    object: '2 *ObjectMetricStatus',
    pods: '3 *PodsMetricStatus',
    resource: '4 *ResourceMetricStatus',
    containerResource: '7 *ContainerResourceMetricStatus',
    external: '5 *ExternalMetricStatus',
  },
  ObjectMetricStatus: {
    metric: '1 MetricIdentifier',
    current: '2 MetricValueStatus',
    describedObject: '3 CrossVersionObjectReference',
  },
  PodsMetricStatus: { metric: '1 MetricIdentifier', current: '2 MetricValueStatus' },
  ResourceMetricStatus: { name: '1 string', current: '2 MetricValueStatus' },
  ContainerResourceMetricStatus: { name: '1 string', current: '2 MetricValueStatus', container: '3 string' },
  ExternalMetricStatus: { metric: '1 MetricIdentifier', current: '2 MetricValueStatus' },
  MetricValueStatus: {
    value: '1 *meta.Quantity',
    averageValue: '2 *meta.Quantity',
    averageUtilization: '3 *int32',
  },
  HorizontalPodAutoscalerCondition: {
    type: '1 string',
    status: '2 string',
    lastTransitionTime: '3 meta.Time',
    reason: '4 string',
    message: '5 string',
  },
});
