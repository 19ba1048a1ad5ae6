/**
 * Upstream's eviction admission (the eviction manager's Admit): a node under resource pressure takes no new
 * pods, except system-critical ones; under memory pressure alone it still takes pods that are not BestEffort,
 * and BestEffort pods that tolerate the memory-pressure taint. Decided from the pressure the agent's last
 * eviction round observed, as upstream's (the Node's conditions lag behind it by a status update).
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isTaintTolerated } from '../../api/taints.js';
import { qosClass } from '../../api/qos.js';
import type { AdmitResult } from './node-fit.js';

const PRESSURE_CONDITIONS = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;
/** Pods at or above this priority are never refused or evicted for pressure (upstream IsCriticalPod). */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;
const MEMORY_PRESSURE_TAINT = { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' as const };

/** The pressure conditions a Node object reports (when the agent's own observations are not at hand). */
export function nodePressureConditions(node: Node): string[] {
  return PRESSURE_CONDITIONS.filter((type) =>
    node.status?.conditions?.some((c) => c.type === type && c.status === 'True'),
  );
}

export function pressureRefusal(pod: Pod, conditions: readonly string[]): AdmitResult | undefined {
  if (conditions.length === 0 || (pod.spec?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY) return undefined;
  if (conditions.length === 1 && conditions[0] === 'MemoryPressure') {
    if (qosClass(pod) !== 'BestEffort') return undefined;
    if (isTaintTolerated(pod.spec?.tolerations, MEMORY_PRESSURE_TAINT)) return undefined;
  }
  return { admit: false, reason: 'Evicted', message: `The node had condition: [${conditions.join(' ')}]. ` };
}
