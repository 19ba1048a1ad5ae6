import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { R, type EventRecorder, type Informer, type SyncResult } from '../../client/index.js';
import { rfc3339 } from '../../util/clock.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import { conditionsAfterSilence, observeHeartbeats, type NodeHealth } from './node-health.js';
import {
  desiredNoExecuteTaints,
  desiredNoScheduleTaints,
  nodeCondition,
  reconcileTaints,
  sameTaints,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
} from './node-taints.js';
import { numberOption } from './options.js';
import { DISRUPTION_DEFAULTS, ZoneStates, zoneOf } from './disruption.js';
import { indexPodsByNode, podsOnNode } from './pod-index.js';
import { cloneJson } from '../../api/meta.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const isReadinessTaint = (key: string): boolean => key === TAINT_NOT_READY || key === TAINT_UNREACHABLE;

/** Defaults of the node lifecycle tunables (ctx.options), in milliseconds. */
export const NODE_LIFECYCLE_DEFAULTS = {
  /** How often every node's health is re-evaluated (upstream --node-monitor-period 5s). */
  nodeMonitorPeriodMs: 5_000,
  /** Silence after which a node's conditions go Unknown (upstream --node-monitor-grace-period 40s). */
  nodeMonitorGracePeriodMs: 40_000,
  /** The same for a node that never posted a Ready condition (upstream --node-startup-grace-period 60s). */
  nodeStartupGracePeriodMs: 60_000,
};

/**
 * Upstream's node lifecycle controller: watches each node's heartbeats (its Lease in kube-node-lease and the
 * Ready condition's lastHeartbeatTime); after the grace period without one, sets the node's conditions to
 * Unknown and marks its pods NotReady. Keeps the condition taints current: NoSchedule taints for Ready,
 * pressure conditions and spec.unschedulable (TaintNodesByCondition), and the not-ready / unreachable
 * NoExecute taints the taint eviction controller acts on.
 */
export class NodeLifecycleController extends QueueController {
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly health = new Map<string, NodeHealth>();
  private readonly lastReady = new Map<string, string>();
  /** Nodes whose pods still have to be marked NotReady (kept until that succeeds). */
  private readonly podsToMark = new Set<string>();
  private readonly periodMs: number;
  private readonly graceMs: number;
  private readonly startupGraceMs: number;
  private readonly zones: ZoneStates;
  private zonesComputed = false;
  /** performance.now() of the last zone recount. */
  private zonesCountedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(ctx: ControllerContext) {
    super('node-lifecycle-controller', ctx);
    const d = NODE_LIFECYCLE_DEFAULTS;
    this.periodMs = numberOption(ctx.options, 'nodeMonitorPeriodMs', d.nodeMonitorPeriodMs);
    this.graceMs = numberOption(ctx.options, 'nodeMonitorGracePeriodMs', d.nodeMonitorGracePeriodMs);
    this.startupGraceMs = numberOption(ctx.options, 'nodeStartupGracePeriodMs', d.nodeStartupGracePeriodMs);
    const z = DISRUPTION_DEFAULTS;
    this.zones = new ZoneStates({
      evictionRate: numberOption(ctx.options, 'nodeEvictionRate', z.evictionRate),
      secondaryEvictionRate: numberOption(ctx.options, 'secondaryNodeEvictionRate', z.secondaryEvictionRate),
      largeClusterSize: numberOption(ctx.options, 'largeClusterSizeThreshold', z.largeClusterSize),
      unhealthyZoneThreshold: numberOption(ctx.options, 'unhealthyZoneThreshold', z.unhealthyZoneThreshold),
    });
    this.recorder = ctx.events('node-controller');
    this.nodes = ctx.informers.informer<Node>(R.nodes);
    this.leases = ctx.informers.informer<Lease>(R.leases, { namespace: NODE_LEASE_NAMESPACE });
    this.pods = ctx.informers.informer<Pod>(R.pods);
    indexPodsByNode(this.pods);
    this.nodes.addEventHandler({
      add: (n) => this.enqueue(n),
      update: (_, n) => this.enqueue(n),
      delete: (n) => this.forget(n.metadata?.name ?? ''),
    });
    this.leases.addEventHandler({
      add: (l) => this.queue.add(l.metadata?.name ?? ''),
      update: (_, l) => this.queue.add(l.metadata?.name ?? ''),
    });
  }

  override run(): void {
    super.run();
    this.timer ??= setInterval(() => {
      this.refreshZones();
      for (const key of this.nodes.keys()) this.queue.add(key);
    }, this.periodMs);
    this.timer.unref();
  }

  override async stop(): Promise<void> {
    clearInterval(this.timer);
    await super.stop();
  }

  /** What the controller last saw of the node's heartbeats (for diagnostics and tests). */
  nodeHealth(name: string): Readonly<NodeHealth> | undefined {
    return this.health.get(name);
  }

  /** Zone states from every node's readiness (`override`: one node's newer value than the cache has). */
  private refreshZones(override?: { name: string; ready: string }): void {
    this.zonesComputed = true;
    this.zonesCountedAt = performance.now();
    const change = this.zones.update(
      this.nodes.list(),
      (n) =>
        override && n.metadata?.name === override.name
          ? override.ready
          : (nodeCondition(n, 'Ready')?.status ?? 'Unknown'),
      this.ctx.clock.now(),
    );
    if (change === undefined) return;
    if (change) {
      this.logger.info('Controller detected that all Nodes are not-Ready. Entering master disruption mode.');
    } else {
      this.logger.info('Controller detected that some Nodes are Ready. Exiting master disruption mode.');
    }
    for (const key of this.nodes.keys()) this.queue.add(key);
  }

  private forget(name: string): void {
    this.health.delete(name);
    this.lastReady.delete(name);
    this.podsToMark.delete(name);
  }

  protected async sync(name: string): Promise<SyncResult | void> {
    const cached = this.nodes.get('', name);
    if (!cached) {
      this.forget(name);
      return;
    }
    const nowMs = this.ctx.clock.now();
    const now = rfc3339(nowMs);
    const health = observeHeartbeats(
      this.health.get(name),
      cached,
      this.leases.get(NODE_LEASE_NAMESPACE, name),
      nowMs,
    );
    this.health.set(name, health);
    const client = this.ctx.client.resource<Node>(R.nodes);
    let node = cached;
    const grace = nodeCondition(node, 'Ready') ? this.graceMs : this.startupGraceMs;
    const deadline = health.probeMs + grace;
    let requeueAfterMs: number | undefined;
    if (nowMs > deadline) {
      const conditions = conditionsAfterSilence(node, now);
      if (conditions) {
        node = await client.updateStatus({ ...node, status: { ...node.status, conditions } });
        this.logger.info('node stopped posting status', { node: name });
      }
    } else {
      requeueAfterMs = deadline - nowMs + 1;
    }

    const ready = nodeCondition(node, 'Ready')?.status ?? 'Unknown';
    const before = this.lastReady.get(name);
    if (before !== ready) {
      if (before === 'True') {
        this.podsToMark.add(name);
        this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      } else if (ready === 'True' && before !== undefined) {
        this.recorder.event(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
      }
      this.lastReady.set(name, ready);
    }

    // A node that stops being Ready changes its zone's state before its taint is decided; nodes becoming Ready
    // (thousands at once when a cluster starts) wait for the periodic pass, and so do failures within 100 ms
    // of the last recount (a recount reads every node).
    if (
      !this.zonesComputed ||
      (before !== ready && ready !== 'True' && performance.now() - this.zonesCountedAt >= 100)
    ) {
      this.refreshZones({ name, ready });
    }
    const current = node.spec?.taints ?? [];
    // With every node down, taint (and so evict) nothing; otherwise a node's first NoExecute taint waits for
    // its zone's rate limit (moving between not-ready and unreachable does not).
    let noExecute = this.zones.allFullyDisrupted ? [] : desiredNoExecuteTaints(node);
    if (noExecute.length > 0 && !current.some((t) => t.effect === 'NoExecute' && isReadinessTaint(t.key))) {
      const wait = this.zones.takeTaintToken(zoneOf(node), nowMs);
      if (wait > 0) {
        noExecute = [];
        const retry = Number.isFinite(wait) ? wait : this.periodMs;
        requeueAfterMs = requeueAfterMs === undefined ? retry : Math.min(requeueAfterMs, retry);
      }
    }
    const taints = reconcileTaints(current, desiredNoScheduleTaints(node), noExecute, now);
    if (!sameTaints(current, taints)) {
      const next = cloneJson(node);
      next.spec ??= {};
      if (taints.length > 0) next.spec.taints = taints;
      else delete next.spec.taints;
      node = await client.update(next);
    }

    if (this.podsToMark.has(name)) {
      if (ready !== 'True') await this.markPodsNotReady(node);
      this.podsToMark.delete(name);
    }
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  /** Upstream MarkPodsNotReady: the node cannot report for its pods any more, so their Ready goes False. */
  private async markPodsNotReady(node: Node): Promise<void> {
    const name = node.metadata?.name ?? '';
    const client = this.ctx.client.resource<Pod>(R.pods);
    const now = rfc3339(this.ctx.clock.now());
    let failed: Error | undefined;
    for (const pod of podsOnNode(this.pods, name)) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      const next = cloneJson(pod);
      for (const c of next.status?.conditions ?? []) {
        if (c.type !== 'Ready') continue;
        c.status = 'False';
        c.lastTransitionTime = now;
      }
      try {
        await client.updateStatus(next);
        this.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!hasReason(err, 'NotFound')) failed = err instanceof Error ? err : new Error(String(err));
      }
    }
    if (failed) throw failed;
  }
}
