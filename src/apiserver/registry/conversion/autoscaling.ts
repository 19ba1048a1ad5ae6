import type { KubeObject } from '../../../api/meta.js';
import type { VersionAlias } from '../types.js';
import { compact, specFromV2, specToV2, statusFromV2, statusToV2 } from './hpa-metrics.js';
import { deprecation, rec, setAnnotation, takeAnnotation, withApiVersion, type Obj } from './util.js';

/** Annotations in which autoscaling/v1 keeps what its schema cannot hold (upstream pkg/apis/autoscaling). */
export const HPA_ANNOTATIONS = {
  metrics: 'autoscaling.alpha.kubernetes.io/metrics',
  currentMetrics: 'autoscaling.alpha.kubernetes.io/current-metrics',
  conditions: 'autoscaling.alpha.kubernetes.io/conditions',
  behavior: 'autoscaling.alpha.kubernetes.io/behavior',
} as const;

function list(value: unknown): Obj[] {
  return Array.isArray(value) ? (value as Obj[]) : [];
}

function parseList(json: string | undefined): Obj[] | undefined {
  if (json === undefined) return undefined;
  try {
    return list(JSON.parse(json));
  } catch {
    return undefined;
  }
}

const DEFAULT_CPU_UTILIZATION = 80;

function cpuUtilization(percent: number): Obj {
  return {
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: percent } },
  };
}

function isCpuResource(m: Obj | null): boolean {
  return m?.type === 'Resource' && rec(m.resource)?.name === 'cpu';
}

function isCpuUtilization(m: Obj | null): boolean {
  if (!m) return false;
  const r = rec(m.resource);
  return m.type === 'Resource' && r?.name === 'cpu' && typeof rec(r.target)?.averageUtilization === 'number';
}

function hpaV1ToV2(obj: KubeObject): KubeObject {
  const out = withApiVersion(obj, 'autoscaling/v2');
  const spec: Obj = rec(out.spec) ?? {};
  const status = rec(out.status);
  const otherMetrics = parseList(takeAnnotation(out, HPA_ANNOTATIONS.metrics)) ?? [];
  const currentMetrics = parseList(takeAnnotation(out, HPA_ANNOTATIONS.currentMetrics));
  const conditions = parseList(takeAnnotation(out, HPA_ANNOTATIONS.conditions));
  const behavior = takeAnnotation(out, HPA_ANNOTATIONS.behavior);

  const metrics = otherMetrics.map(specToV2);
  if (typeof spec.targetCPUUtilizationPercentage === 'number') {
    metrics.push(cpuUtilization(spec.targetCPUUtilizationPercentage));
  }
  const newSpec: Obj = compact({
    scaleTargetRef: spec.scaleTargetRef,
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
  });
  // autoscaling/v1 once defaulted to 80% cpu in the controller; upstream makes that explicit on conversion.
  newSpec.metrics = metrics.length > 0 ? metrics : [cpuUtilization(DEFAULT_CPU_UTILIZATION)];
  if (behavior !== undefined) {
    try {
      newSpec.behavior = JSON.parse(behavior);
    } catch {
      // an unparsable annotation is dropped, as upstream ignores it
    }
  }
  out.spec = newSpec;

  if (status) {
    const newStatus: Obj = compact({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas,
    });
    if (currentMetrics) newStatus.currentMetrics = currentMetrics.map(statusToV2);
    else if (typeof status.currentCPUUtilizationPercentage === 'number') {
      newStatus.currentMetrics = [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } },
        },
      ];
    }
    if (conditions) newStatus.conditions = conditions;
    out.status = newStatus;
  }
  return out;
}

function hpaV2ToV1(obj: KubeObject): KubeObject {
  const out = withApiVersion(obj, 'autoscaling/v1');
  const spec: Obj = rec(out.spec) ?? {};
  const status = rec(out.status);
  const metrics = list(spec.metrics);
  // The first cpu Resource metric decides targetCPUUtilizationPercentage (none if it targets a value).
  const cpu = metrics.find(isCpuResource);
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(specFromV2);
  if (others.length > 0) setAnnotation(out, HPA_ANNOTATIONS.metrics, JSON.stringify(others));
  if (spec.behavior !== undefined && spec.behavior !== null)
    setAnnotation(out, HPA_ANNOTATIONS.behavior, JSON.stringify(spec.behavior));
  out.spec = compact({
    scaleTargetRef: spec.scaleTargetRef,
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
    targetCPUUtilizationPercentage: cpu ? rec(rec(cpu.resource)?.target)?.averageUtilization : undefined,
  });

  if (status) {
    const current = list(status.currentMetrics);
    const conditions = list(status.conditions);
    // All current metrics are kept (cpu too): the annotation carries raw values the v1 field cannot.
    if (current.length > 0)
      setAnnotation(out, HPA_ANNOTATIONS.currentMetrics, JSON.stringify(current.map(statusFromV2)));
    if (conditions.length > 0) setAnnotation(out, HPA_ANNOTATIONS.conditions, JSON.stringify(conditions));
    let utilization: unknown; // the last cpu utilization wins, as upstream's loop
    for (const m of current.filter(isCpuResource)) {
      const u = rec(rec(m.resource)?.current)?.averageUtilization;
      if (typeof u === 'number') utilization = u;
    }
    out.status = compact({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: typeof utilization === 'number' ? utilization : undefined,
    });
  }
  return out;
}

function hpaV2beta1ToV2(obj: KubeObject): KubeObject {
  const out = withApiVersion(obj, 'autoscaling/v2');
  const spec = rec(out.spec);
  if (spec && Array.isArray(spec.metrics)) spec.metrics = list(spec.metrics).map(specToV2);
  const behavior = takeAnnotation(out, HPA_ANNOTATIONS.behavior);
  if (spec && behavior !== undefined) {
    try {
      spec.behavior = JSON.parse(behavior);
    } catch {
      // ignored, as upstream
    }
  }
  const status = rec(out.status);
  if (status && Array.isArray(status.currentMetrics))
    status.currentMetrics = list(status.currentMetrics).map(statusToV2);
  return out;
}

function hpaV2ToV2beta1(obj: KubeObject): KubeObject {
  const out = withApiVersion(obj, 'autoscaling/v2beta1');
  const spec = rec(out.spec);
  if (spec && Array.isArray(spec.metrics)) spec.metrics = list(spec.metrics).map(specFromV2);
  if (spec?.behavior !== undefined && spec.behavior !== null) {
    setAnnotation(out, HPA_ANNOTATIONS.behavior, JSON.stringify(spec.behavior));
    delete spec.behavior;
  }
  const status = rec(out.status);
  if (status && Array.isArray(status.currentMetrics))
    status.currentMetrics = list(status.currentMetrics).map(statusFromV2);
  return out;
}

const replacement = 'autoscaling/v2 HorizontalPodAutoscaler';

export const horizontalPodAutoscalerAliases: VersionAlias[] = [
  // autoscaling/v1 is a current, non-deprecated API: no warning.
  { group: 'autoscaling', version: 'v1', toCanonical: hpaV1ToV2, fromCanonical: hpaV2ToV1 },
  {
    group: 'autoscaling',
    version: 'v2beta2',
    toCanonical: (obj) => withApiVersion(obj, 'autoscaling/v2'),
    fromCanonical: (obj) => withApiVersion(obj, 'autoscaling/v2beta2'),
    ...deprecation('autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.23', '1.26', replacement),
  },
  {
    group: 'autoscaling',
    version: 'v2beta1',
    toCanonical: hpaV2beta1ToV2,
    fromCanonical: hpaV2ToV2beta1,
    ...deprecation('autoscaling/v2beta1', 'HorizontalPodAutoscaler', '1.22', '1.25', replacement),
  },
];
