import type { HorizontalPodAutoscalerCondition } from 'kubernetes-types/autoscaling/v2.js';
import { rfc3339 } from '../../util/clock.js';

/** Sets a condition in place; the transition time only moves when the status changes (upstream setCondition). */
export function setCondition(
  conditions: HorizontalPodAutoscalerCondition[],
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  nowMs: number,
): void {
  const existing = conditions.find((c) => c.type === type);
  if (!existing) {
    conditions.push({ type, status, reason, message, lastTransitionTime: rfc3339(nowMs) });
    return;
  }
  if (existing.status !== status) existing.lastTransitionTime = rfc3339(nowMs);
  existing.status = status;
  existing.reason = reason;
  existing.message = message;
}
