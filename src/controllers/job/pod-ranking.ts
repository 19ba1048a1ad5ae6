import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodReady } from '../../api/pods.js';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Upstream's ActivePods order, cheapest to delete first: unscheduled before scheduled, pending before running,
 * not ready before ready, then the most recently created.
 */
export function compareForDeletion(a: Pod, b: Pod): number {
  const scheduled = (p: Pod): number => (p.spec?.nodeName ? 1 : 0);
  if (scheduled(a) !== scheduled(b)) return scheduled(a) - scheduled(b);
  const phase = (p: Pod): number => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod): number => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  const created = (p: Pod): string => p.metadata?.creationTimestamp ?? '';
  if (created(a) !== created(b)) return created(a) > created(b) ? -1 : 1;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? 1 : -1;
}
