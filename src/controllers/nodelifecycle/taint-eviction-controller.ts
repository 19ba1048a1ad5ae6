import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import {
  R,
  objectKey,
  splitKey,
  type EventRecorder,
  type Informer,
  type SyncResult,
} from '../../client/index.js';
import { rfc3339 } from '../../util/clock.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import { matchingTolerations, minTolerationMs, sameTaints } from './node-taints.js';
import { numberOption } from './options.js';
import { indexPodsByNode, podsOnNode } from './pod-index.js';

export interface ScheduledEviction {
  createdMs: number;
  triggerMs: number;
}

function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/**
 * Upstream's taint eviction controller: a pod on a node with NoExecute taints it does not tolerate is deleted
 * at once; one that tolerates them with tolerationSeconds is deleted when the shortest of those runs out
 * (counted from when this controller first saw it tainted); tolerations without tolerationSeconds keep it.
 * Deletions are graceful (the pod's own grace period) and carry a DisruptionTarget condition.
 */
export class TaintEvictionController extends QueueController {
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly scheduled = new Map<string, ScheduledEviction>();
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(ctx: ControllerContext) {
    super('taint-eviction-controller', ctx);
    this.tickMs = numberOption(ctx.options, 'taintEvictionPeriodMs', 1_000);
    this.recorder = ctx.events('taint-eviction-controller');
    this.nodes = ctx.informers.informer<Node>(R.nodes);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    indexPodsByNode(this.pods);
    this.pods.addEventHandler({
      add: (p) => this.podChanged(p),
      update: (_, p) => this.podChanged(p),
      delete: (p) => this.scheduled.delete(objectKey(p)),
    });
    this.nodes.addEventHandler({
      add: (n) => this.nodeChanged(undefined, n),
      update: (old, n) => this.nodeChanged(old, n),
    });
  }

  override run(): void {
    super.run();
    // Wakes due evictions also when time is driven by an injected clock rather than by timers.
    this.timer ??= setInterval(() => {
      const now = this.ctx.clock.now();
      for (const [key, s] of this.scheduled) if (s.triggerMs <= now) this.queue.add(key);
    }, this.tickMs);
    this.timer.unref();
  }

  override async stop(): Promise<void> {
    clearInterval(this.timer);
    await super.stop();
  }

  /** When the pod named by `key` is due for eviction, if it is scheduled for one (diagnostics and tests). */
  pendingEviction(key: string): Readonly<ScheduledEviction> | undefined {
    return this.scheduled.get(key);
  }

  private podChanged(pod: Pod): void {
    const key = objectKey(pod);
    const node = pod.spec?.nodeName ? this.nodes.get('', pod.spec.nodeName) : undefined;
    if (this.scheduled.has(key) || noExecuteTaints(node).length > 0) this.queue.add(key);
  }

  private nodeChanged(old: Node | undefined, node: Node): void {
    const before = noExecuteTaints(old);
    const after = noExecuteTaints(node);
    if (sameTaints(before, after)) return;
    for (const pod of podsOnNode(this.pods, node.metadata?.name ?? '')) this.enqueue(pod);
  }

  private cancel(key: string, pod: Pod | undefined): void {
    if (!this.scheduled.delete(key)) return;
    if (pod) this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || pod.metadata?.deletionTimestamp || !pod.spec?.nodeName) {
      this.scheduled.delete(key);
      return;
    }
    const taints = noExecuteTaints(this.nodes.get('', pod.spec.nodeName));
    if (taints.length === 0) {
      this.cancel(key, pod);
      return;
    }
    const now = this.ctx.clock.now();
    const { allTolerated, used } = matchingTolerations(taints, pod.spec.tolerations ?? []);
    if (!allTolerated) {
      await this.evict(key, pod);
      return;
    }
    const min = minTolerationMs(used);
    if (min === undefined) {
      this.cancel(key, pod);
      return;
    }
    const createdMs = this.scheduled.get(key)?.createdMs ?? now;
    const triggerMs = createdMs + min;
    this.scheduled.set(key, { createdMs, triggerMs });
    if (now >= triggerMs) {
      await this.evict(key, pod);
      return;
    }
    return { requeueAfterMs: triggerMs - now };
  }

  private async evict(key: string, pod: Pod): Promise<void> {
    const { namespace, name } = splitKey(key);
    const client = this.ctx.client.resource<Pod>(R.pods);
    this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    try {
      const now = rfc3339(this.ctx.clock.now());
      await client.patch(
        namespace,
        name,
        'strategic',
        {
          status: {
            conditions: [
              {
                type: 'DisruptionTarget',
                status: 'True',
                reason: 'DeletionByTaintManager',
                message: 'Taint manager: deleting due to NoExecute taint',
                lastTransitionTime: now,
              },
            ],
          },
        },
        { subresource: 'status' },
      );
      await client.delete(namespace, name, { preconditions: { uid: pod.metadata?.uid ?? '' } });
    } catch (err) {
      if (!hasReason(err, 'NotFound') && !hasReason(err, 'Conflict')) throw err;
    }
    this.scheduled.delete(key);
  }
}
