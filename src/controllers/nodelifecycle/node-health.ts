import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import { nodeCondition } from './node-taints.js';
import { cloneJson } from '../../api/meta.js';

/** The conditions the controller sets to Unknown when a node stops reporting (upstream nodeConditionTypes). */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/**
 * What the controller last saw of a node's heartbeats. `probeMs` is this controller's clock reading when a
 * heartbeat last changed: the node's own timestamps are only compared for change, never trusted as times, so
 * clock skew between node and controller does not matter (as upstream's nodeHealthData).
 */
export interface NodeHealth {
  probeMs: number;
  heartbeat: string | undefined;
  leaseRenewTime: string | undefined;
}

/** Updates (or starts) the health record from the node's Ready heartbeat and its Lease. */
export function observeHeartbeats(
  saved: NodeHealth | undefined,
  node: Node,
  lease: Lease | undefined,
  nowMs: number,
): NodeHealth {
  const heartbeat = nodeCondition(node, 'Ready')?.lastHeartbeatTime;
  const renew = lease?.spec?.renewTime;
  if (!saved) return { probeMs: nowMs, heartbeat, leaseRenewTime: renew };
  const next = { ...saved };
  if (heartbeat !== saved.heartbeat) {
    next.heartbeat = heartbeat;
    next.probeMs = nowMs;
  }
  if (renew && (!saved.leaseRenewTime || Date.parse(renew) > Date.parse(saved.leaseRenewTime))) {
    next.leaseRenewTime = renew;
    next.probeMs = nowMs;
  }
  return next;
}

/**
 * The node's conditions after the grace period passed without a heartbeat: each monitored condition becomes
 * Unknown (added as "never posted" when missing). Returns undefined when nothing changes.
 */
export function conditionsAfterSilence(node: Node, now: string): NodeCondition[] | undefined {
  const conditions = cloneJson(node.status?.conditions ?? []);
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp ?? now,
        lastTransitionTime: now,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = now;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
