import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2.js';

/** Upstream --horizontal-pod-autoscaler-downscale-stabilization (used when the HPA has no behavior). */
export const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;

interface Recommendation {
  replicas: number;
  atMs: number;
}

interface ScaleEvent {
  change: number;
  atMs: number;
  outdated: boolean;
}

export interface Limited {
  replicas: number;
  reason: string;
  message: string;
}

const SCALE_UP_DEFAULT: HPAScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const SCALE_DOWN_DEFAULT: HPAScalingRules = {
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

function rulesOr(given: HPAScalingRules | undefined, defaults: HPAScalingRules): HPAScalingRules {
  return {
    selectPolicy: given?.selectPolicy ?? defaults.selectPolicy!,
    policies: given?.policies ?? defaults.policies!,
    ...(given?.stabilizationWindowSeconds != null
      ? { stabilizationWindowSeconds: given.stabilizationWindowSeconds }
      : defaults.stabilizationWindowSeconds != null
        ? { stabilizationWindowSeconds: defaults.stabilizationWindowSeconds }
        : {}),
  };
}

/**
 * What the controller remembers per HPA between syncs (upstream keeps the same in memory): the recent
 * unstabilized recommendations and the recent scale events the rate policies count.
 */
export class ScalingHistory {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUps = new Map<string, ScaleEvent[]>();
  private readonly scaleDowns = new Map<string, ScaleEvent[]>();

  constructor(private readonly downscaleStabilizationMs = DOWNSCALE_STABILIZATION_MS) {}

  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUps.delete(key);
    this.scaleDowns.delete(key);
  }

  recordInitial(key: string, replicas: number, nowMs: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas, atMs: nowMs }]);
  }

  private record(key: string, replicas: number, nowMs: number, isOld: (r: Recommendation) => boolean): void {
    const list = this.recommendations.get(key) ?? [];
    const old = list.findIndex(isOld);
    if (old >= 0) list[old] = { replicas, atMs: nowMs };
    else list.push({ replicas, atMs: nowMs });
    this.recommendations.set(key, list);
  }

  /** Without behavior: the highest recommendation of the downscale window (upstream stabilizeRecommendation). */
  stabilize(key: string, desired: number, nowMs: number): number {
    const cutoff = nowMs - this.downscaleStabilizationMs;
    let max = desired;
    for (const r of this.recommendations.get(key) ?? [])
      if (r.atMs >= cutoff && r.replicas > max) max = r.replicas;
    this.record(key, desired, nowMs, (r) => r.atMs < cutoff);
    return max;
  }

  /** With behavior: clamp between the lowest of the scale-up window and the highest of the scale-down window. */
  stabilizeWithBehavior(
    key: string,
    current: number,
    desired: number,
    behavior: HorizontalPodAutoscalerBehavior,
    nowMs: number,
  ): Limited {
    const upWindowMs = (rulesOr(behavior.scaleUp, SCALE_UP_DEFAULT).stabilizationWindowSeconds ?? 0) * 1000;
    const downWindowMs =
      (behavior.scaleDown?.stabilizationWindowSeconds ?? this.downscaleStabilizationMs / 1000) * 1000;
    const upCutoff = nowMs - upWindowMs;
    const downCutoff = nowMs - downWindowMs;
    let up = desired;
    let down = desired;
    for (const r of this.recommendations.get(key) ?? []) {
      if (r.atMs > upCutoff) up = Math.min(up, r.replicas);
      if (r.atMs > downCutoff) down = Math.max(down, r.replicas);
    }
    let replicas = current;
    if (replicas < up) replicas = up;
    if (replicas > down) replicas = down;
    this.record(key, desired, nowMs, (r) => r.atMs < upCutoff && r.atMs < downCutoff);
    return desired >= current
      ? {
          replicas,
          reason: 'ScaleUpStabilized',
          message:
            'recent recommendations were lower than current one, applying the lowest recent recommendation',
        }
      : {
          replicas,
          reason: 'ScaleDownStabilized',
          message:
            'recent recommendations were higher than current one, applying the highest recent recommendation',
        };
  }

  private changeInPeriod(events: ScaleEvent[] | undefined, periodSeconds: number, nowMs: number): number {
    const cutoff = nowMs - periodSeconds * 1000;
    let sum = 0;
    for (const e of events ?? []) if (e.atMs > cutoff) sum += e.change;
    return sum;
  }

  /** Applies the scale-up/down rate policies (upstream convertDesiredReplicasWithBehaviorRate). */
  limitRate(
    key: string,
    current: number,
    desired: number,
    min: number,
    max: number,
    behavior: HorizontalPodAutoscalerBehavior,
    nowMs: number,
  ): Limited {
    if (desired > current) {
      const rules = rulesOr(behavior.scaleUp, SCALE_UP_DEFAULT);
      let limit = this.limitFor(key, current, rules, nowMs, 'up');
      if (limit < current) limit = current;
      const [allowed, reason, message] =
        max > limit
          ? [
              limit,
              'ScaleUpLimit',
              'the desired replica count is increasing faster than the maximum scale rate',
            ]
          : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
      if (desired > allowed) return { replicas: allowed, reason, message };
    } else if (desired < current) {
      const rules = rulesOr(behavior.scaleDown, SCALE_DOWN_DEFAULT);
      let limit = this.limitFor(key, current, rules, nowMs, 'down');
      if (limit > current) limit = current;
      const [allowed, reason, message] =
        min < limit
          ? [
              limit,
              'ScaleDownLimit',
              'the desired replica count is decreasing faster than the maximum scale rate',
            ]
          : [min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
      if (desired < allowed) return { replicas: allowed, reason, message };
    }
    return {
      replicas: desired,
      reason: 'DesiredWithinRange',
      message: 'the desired count is within the acceptable range',
    };
  }

  private limitFor(
    key: string,
    current: number,
    rules: HPAScalingRules,
    nowMs: number,
    dir: 'up' | 'down',
  ): number {
    const select = rules.selectPolicy ?? 'Max';
    if (select === 'Disabled') return current;
    // For scale-up Max picks the largest proposal; for scale-down Max (most change) picks the smallest.
    const pickLargest = dir === 'up' ? select !== 'Min' : select === 'Min';
    let result = pickLargest ? -Infinity : Infinity;
    for (const p of rules.policies ?? []) {
      const added = this.changeInPeriod(this.scaleUps.get(key), p.periodSeconds, nowMs);
      const removed = this.changeInPeriod(this.scaleDowns.get(key), p.periodSeconds, nowMs);
      const periodStart = current - added + removed;
      let proposed: number;
      if (dir === 'up') {
        proposed = p.type === 'Pods' ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
      } else {
        proposed = p.type === 'Pods' ? periodStart - p.value : Math.trunc(periodStart * (1 - p.value / 100));
      }
      result = pickLargest ? Math.max(result, proposed) : Math.min(result, proposed);
    }
    return Number.isFinite(result) ? result : current;
  }

  /** Remembers a rescale for the rate policies; events older than the longest policy period are reused. */
  recordScale(
    key: string,
    behavior: HorizontalPodAutoscalerBehavior | undefined,
    from: number,
    to: number,
    nowMs: number,
  ): void {
    if (!behavior || from === to) return;
    const up = to > from;
    const rules = up
      ? rulesOr(behavior.scaleUp, SCALE_UP_DEFAULT)
      : rulesOr(behavior.scaleDown, SCALE_DOWN_DEFAULT);
    const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds)) * 1000;
    const map = up ? this.scaleUps : this.scaleDowns;
    const events = map.get(key) ?? [];
    for (const e of events) if (e.atMs <= nowMs - longest) e.outdated = true;
    const event = { change: Math.abs(to - from), atMs: nowMs, outdated: false };
    const slot = events.findIndex((e) => e.outdated);
    if (slot >= 0) events[slot] = event;
    else events.push(event);
    map.set(key, events);
  }
}

/** Without behavior: min/max and the fixed scale-up rate (upstream convertDesiredReplicasWithRules). */
export function limitWithRules(current: number, desired: number, min: number, max: number): Limited {
  const scaleUpLimit = Math.max(2 * current, 4);
  const [allowed, reason, message] =
    max > scaleUpLimit
      ? [
          scaleUpLimit,
          'ScaleUpLimit',
          'the desired replica count is increasing faster than the maximum scale rate',
        ]
      : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
  if (desired < min)
    return {
      replicas: min,
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    };
  if (desired > allowed) return { replicas: allowed, reason, message };
  return {
    replicas: desired,
    reason: 'DesiredWithinRange',
    message: 'the desired count is within the acceptable range',
  };
}
