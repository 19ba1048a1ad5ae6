/**
 * Registers the Node, keeps its status current (every statusIntervalMs, written when something changed or
 * every reportIntervalMs as a heartbeat), renews its Lease in kube-node-lease every leaseRenewMs, hands out
 * node.spec.podCIDR when it appears, and reports NotReady on shutdown.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { R, type ApiClient } from '../../client/index.js';
import { microTime, type Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { ImageService, RuntimeService } from '../cri/services.js';
import type { ContainerImage } from 'kubernetes-types/core/v1.js';
import { readHost, readHostInfo, type HostInfo, type HostReadings } from './host-readings.js';
import {
  nodeConditions,
  nodeObject,
  nodeStatus,
  shuttingDownConditions,
  stampConditions,
  type NodeStatusInput,
} from './node-status.js';
import type { Thresholds } from '../eviction/thresholds.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeAgentOptions {
  nodeName: string;
  client: ApiClient;
  runtime: RuntimeService;
  rootDir: string;
  clock: Clock;
  logger: Logger;
  nodeIP: string;
  hostname: string;
  maxPods: number;
  reserved: Record<string, string>;
  thresholds: Thresholds;
  softThresholds?: Thresholds;
  kubeletVersion: string;
  kubeletPort: number;
  leaseRenewMs: number;
  leaseDurationSeconds: number;
  statusIntervalMs: number;
  reportIntervalMs: number;
  onPodCIDR?: (cidr: string) => void | Promise<void>;
  /** The pod CIDR to use while the server has assigned none (as the kubelet's --pod-cidr). */
  fallbackPodCIDR?: string;
  /** Images on the node, reported in status.images (the scheduler's ImageLocality reads them). */
  images?: ImageService;
  /** Records an event about the Node (Starting, NodeReady, NodeHasDiskPressure…). */
  event?: (type: 'Normal' | 'Warning', reason: string, message: string) => void;
  /** Replaces the host readings (tests). */
  readings?: () => Promise<HostReadings>;
}

const comparableConditions = (cs: NodeCondition[] | undefined): string =>
  JSON.stringify((cs ?? []).map((c) => [c.type, c.status, c.reason, c.message]));

const CIDR_POLL_MS = 200;

export class NodeAgent {
  private info: HostInfo | undefined;
  private uid = '';
  private lastReportAt = 0;
  private lastStatus = '';
  private lastConditions: NodeCondition[] | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private cidrTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: NodeStatusInput | undefined;
  podCIDR = '';

  constructor(private readonly o: NodeAgentOptions) {}

  /** The latest status inputs (allocatable for downward API defaults, host IPs). */
  get latest(): NodeStatusInput | undefined {
    return this.current;
  }

  async register(): Promise<void> {
    this.info = await readHostInfo();
    const input = await this.gather();
    const nodes = this.o.client.resource<Node>(R.nodes);
    const desired = nodeObject(this.o.nodeName, input);
    let node: Node;
    try {
      node = await nodes.create(desired);
    } catch (err) {
      if (!hasReason(err, 'AlreadyExists')) throw err;
      node = await nodes.get('', this.o.nodeName);
      const labels = { ...node.metadata?.labels, ...desired.metadata?.labels };
      node = await nodes.patch('', this.o.nodeName, 'merge', { metadata: { labels } });
    }
    this.uid = node.metadata?.uid ?? '';
    this.lastConditions = node.status?.conditions;
    this.o.event?.('Normal', 'Starting', 'Starting kubelet.');
    // A restarted agent finds its pod CIDR on the node already: hand it to the runtime before the first status,
    // so the node does not report its network NotReady for a status period.
    const changed = await this.notePodCIDR(node);
    await this.writeStatus(changed ? await this.gather() : input, true);
    await this.renewLease(true);
  }

  /** Reads the host and the runtime again now (the runtime's network became ready). */
  async refresh(): Promise<void> {
    if (this.info) await this.gather();
  }

  start(): void {
    const statusLoop = (): void => {
      this.statusTimer = setTimeout(() => {
        void this.syncStatus().finally(() => {
          if (!this.stopped) statusLoop();
        });
      }, this.o.statusIntervalMs);
      this.statusTimer.unref();
    };
    const leaseLoop = (): void => {
      this.leaseTimer = setTimeout(() => {
        void this.renewLease(false).finally(() => {
          if (!this.stopped) leaseLoop();
        });
      }, this.o.leaseRenewMs);
      this.leaseTimer.unref();
    };
    statusLoop();
    leaseLoop();
    this.awaitPodCIDR();
  }

  /**
   * Right after registration the server has usually not assigned the pod CIDR yet, and pods cannot get a network
   * before it: look for it often (upstream fastStatusUpdateOnce) and report the status as soon as it is there,
   * rather than one status interval later.
   */
  private awaitPodCIDR(): void {
    if (this.podCIDR || this.stopped) return;
    let left = Math.ceil(Math.max(this.o.statusIntervalMs, 30_000) / CIDR_POLL_MS);
    const poll = (): void => {
      this.cidrTimer = setTimeout(() => {
        void (async () => {
          try {
            await this.notePodCIDR();
          } catch {
            // the regular status loop reports failures
          }
          if (this.stopped) return;
          if (this.podCIDR) await this.syncStatus();
          else if (--left > 0) poll();
        })();
      }, CIDR_POLL_MS);
      this.cidrTimer.unref();
    };
    poll();
  }

  /** Stops the loops and marks the node NotReady. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.statusTimer);
    clearTimeout(this.leaseTimer);
    clearTimeout(this.cidrTimer);
    try {
      await this.o.client
        .resource<Node>(R.nodes)
        .patch(
          '',
          this.o.nodeName,
          'strategic',
          { status: { conditions: shuttingDownConditions(this.o.clock.now()) } },
          { subresource: 'status' },
        );
    } catch (err) {
      this.o.logger.warn('could not mark the node NotReady', { error: String(err) });
    }
  }

  /** Reads the node's podCIDR (the server assigns it after registration); resolves to whether it changed. */
  async notePodCIDR(node?: Node): Promise<boolean> {
    const n = node ?? (await this.o.client.resource<Node>(R.nodes).get('', this.o.nodeName));
    const cidr = n.spec?.podCIDR || this.o.fallbackPodCIDR || '';
    if (!cidr || cidr === this.podCIDR) return false;
    this.podCIDR = cidr;
    this.o.logger.info('pod CIDR assigned', { podCIDR: cidr });
    await this.o.onPodCIDR?.(cidr);
    return true;
  }

  private async gather(): Promise<NodeStatusInput> {
    const readings = await (this.o.readings ?? (() => readHost(this.o.rootDir)))();
    let runtime: NodeStatusInput['runtime'];
    try {
      const [st, v] = await Promise.all([this.o.runtime.status(), this.o.runtime.version()]);
      runtime = { ...st, version: `${v.runtimeName}://${v.runtimeVersion}` };
    } catch (err) {
      runtime = {
        conditions: [{ type: 'RuntimeReady', status: false, reason: 'RuntimeDown', message: String(err) }],
        warnings: [],
        version: this.current?.runtime.version ?? 'unknown://',
      };
    }
    this.current = {
      readings,
      info: this.info!,
      nodeIP: this.o.nodeIP,
      hostname: this.o.hostname,
      maxPods: this.o.maxPods,
      reserved: this.o.reserved,
      thresholds: this.o.thresholds,
      ...(this.o.softThresholds ? { softThresholds: this.o.softThresholds } : {}),
      runtime,
      kubeletVersion: this.o.kubeletVersion,
      kubeletPort: this.o.kubeletPort,
    };
    return this.current;
  }

  private async syncStatus(): Promise<void> {
    try {
      await this.notePodCIDR();
      const input = await this.gather();
      await this.writeStatus(input, false);
    } catch (err) {
      this.o.logger.warn('node status update failed', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private async writeStatus(input: NodeStatusInput, force: boolean): Promise<void> {
    const now = this.o.clock.now();
    const base = { ...nodeStatus(input), images: await this.nodeImages() };
    const conds = nodeConditions(input);
    const text = JSON.stringify(base) + comparableConditions(conds);
    const due = now - this.lastReportAt >= this.o.reportIntervalMs;
    if (!force && !due && text === this.lastStatus) return;
    const conditions = stampConditions(conds, this.lastConditions, now);
    this.conditionEvents(conds, this.lastConditions);
    await this.o.client
      .resource<Node>(R.nodes)
      .patch(
        '',
        this.o.nodeName,
        'strategic',
        { status: { ...base, conditions } },
        { subresource: 'status' },
      );
    this.lastConditions = conditions;
    this.lastStatus = text;
    this.lastReportAt = now;
  }

  /** Upstream's node status events when a condition changes status (or on the first report). */
  private conditionEvents(
    conds: { type: string; status: string; reason?: string }[],
    old: NodeCondition[] | undefined,
  ): void {
    const names: Record<string, [string, string]> = {
      MemoryPressure: ['NodeHasSufficientMemory', 'NodeHasInsufficientMemory'],
      DiskPressure: ['NodeHasNoDiskPressure', 'NodeHasDiskPressure'],
      PIDPressure: ['NodeHasSufficientPID', 'NodeHasInsufficientPID'],
      Ready: ['NodeNotReady', 'NodeReady'],
    };
    for (const c of conds) {
      const prior = old?.find((o) => o.type === c.type);
      if (prior?.status === c.status) continue;
      const pair = names[c.type];
      if (!pair) continue;
      const reason = c.status === 'True' ? pair[1] : pair[0];
      this.o.event?.('Normal', reason, `Node ${this.o.nodeName} status is now: ${reason}`);
    }
  }

  /** Up to 50 images, largest first (upstream nodestatus.Images). */
  private async nodeImages(): Promise<ContainerImage[]> {
    if (!this.o.images) return [];
    try {
      const list = await this.o.images.listImages();
      return list
        .sort((a, b) => b.sizeBytes - a.sizeBytes)
        .slice(0, 50)
        .map((i) => ({ names: [...i.repoDigests, ...i.repoTags], sizeBytes: i.sizeBytes }));
    } catch {
      return [];
    }
  }

  private async renewLease(initial: boolean): Promise<void> {
    if (this.stopped && !initial) return;
    const leases = this.o.client.resource<Lease>(R.leases);
    const now = microTime(this.o.clock.now());
    const name = this.o.nodeName;
    try {
      await leases.patch(NODE_LEASE_NAMESPACE, name, 'merge', {
        spec: { holderIdentity: name, renewTime: now },
      });
    } catch (err) {
      if (!hasReason(err, 'NotFound')) {
        if (initial) throw err;
        this.o.logger.warn('lease renewal failed', { error: String(err) });
        return;
      }
      await leases.create({
        metadata: {
          name,
          namespace: NODE_LEASE_NAMESPACE,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: this.uid }],
        },
        spec: { holderIdentity: name, leaseDurationSeconds: this.o.leaseDurationSeconds, renewTime: now },
      });
    }
  }
}
