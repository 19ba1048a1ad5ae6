/**
 * Upstream's eviction admission (the eviction manager's Admit): a node under resource pressure takes no new
 * pods, except system-critical ones; under memory pressure alone it still takes pods that are not BestEffort,
 * and BestEffort pods that tolerate the memory-pressure taint. Decided from the node's own pressure conditions,
 * which the agent writes from the same readings its eviction rounds use.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isTaintTolerated } from '../../api/taints.js';
import { qosClass } from '../qos.js';
import type { AdmitResult } from './node-fit.js';

const PRESSURE_CONDITIONS = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;
/** Pods at or above this priority are never refused or evicted for pressure (upstream IsCriticalPod). */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;
const MEMORY_PRESSURE_TAINT = { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' as const };

export function pressureRefusal(pod: Pod, node: Node): AdmitResult | undefined {
  const conditions = PRESSURE_CONDITIONS.filter((type) =>
    node.status?.conditions?.some((c) => c.type === type && c.status === 'True'),
  );
  if (conditions.length === 0 || (pod.spec?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY) return undefined;
  if (conditions.length === 1 && conditions[0] === 'MemoryPressure') {
    if (qosClass(pod) !== 'BestEffort') return undefined;
    if (isTaintTolerated(pod.spec?.tolerations, MEMORY_PRESSURE_TAINT)) return undefined;
  }
  return { admit: false, reason: 'Evicted', message: `The node had condition: [${conditions.join(' ')}]. ` };
}
