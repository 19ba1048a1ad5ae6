import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { isPodTerminal } from '../../api/pods.js';
import { R, type Informer, type ResourceClient } from '../../client/index.js';
import { rfc3339 } from '../../util/clock.js';
import { PeriodicTask } from '../../util/periodic-task.js';
import type { Controller, ControllerContext } from '../context.js';
import { podsToCollect } from './collect.js';

/** Upstream's --terminated-pod-gc-threshold default. */
const DEFAULT_TERMINATED_THRESHOLD = 12_500;
/** Upstream's gcCheckPeriod. */
const DEFAULT_PERIOD_MS = 20_000;

/** Upstream's pod garbage collector (`pod-garbage-collector`), every 20 s over the pod and node informers. */
export class PodGcController extends PeriodicTask implements Controller {
  readonly name = 'pod-garbage-collector';
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly threshold: number;

  constructor(private readonly ctx: ControllerContext) {
    const period = ctx.options.podGcPeriodMs;
    super(typeof period === 'number' && period > 0 ? period : DEFAULT_PERIOD_MS);
    const threshold = ctx.options.terminatedPodGcThreshold;
    this.threshold = typeof threshold === 'number' ? threshold : DEFAULT_TERMINATED_THRESHOLD;
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.nodes = ctx.informers.informer<Node>(R.nodes);
    this.podClient = ctx.client.resource<Pod>(R.pods);
  }

  run(): void {
    this.start();
    void this.runOnce();
  }

  protected async runTask(): Promise<void> {
    const nodes = new Map(this.nodes.list().map((n) => [n.metadata?.name ?? '', n]));
    const c = podsToCollect(this.pods.list(), nodes, this.threshold);
    for (const p of c.outOfService) await this.failAndDelete(p);
    // One API check per missing node and run, however many pods name it.
    const gone = new Map<string, Promise<boolean>>();
    for (const p of c.maybeOrphaned) {
      const node = p.spec?.nodeName ?? '';
      if (!gone.has(node)) gone.set(node, this.nodeGone(node));
      if (await gone.get(node)) {
        await this.failAndDelete(p, {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'DeletionByPodGC',
          message: 'PodGC: node no longer exists',
          lastTransitionTime: rfc3339(this.ctx.clock.now()),
        });
      }
    }
    for (const p of [...c.unscheduledTerminating, ...c.terminatedOverThreshold]) await this.forceDelete(p);
  }

  /** The node informer may lag: only the API saying NotFound makes a pod an orphan. */
  private async nodeGone(name: string): Promise<boolean> {
    try {
      await this.ctx.client.resource<Node>(R.nodes).get('', name);
      return false;
    } catch (err) {
      if (hasReason(err, 'NotFound')) return true;
      this.ctx.logger.warn('pod GC could not check a node', { node: name, error: String(err) });
      return false;
    }
  }

  /** Upstream markFailedAndDeletePod: a pod not yet finished is marked Failed (with a reason) before it goes. */
  private async failAndDelete(pod: Pod, condition?: PodCondition): Promise<void> {
    if (!isPodTerminal(pod)) {
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== condition?.type);
      try {
        await this.podClient.patch(
          pod.metadata?.namespace ?? '',
          pod.metadata?.name ?? '',
          'merge',
          { status: { phase: 'Failed', ...(condition ? { conditions: [...conditions, condition] } : {}) } },
          { subresource: 'status' },
        );
      } catch (err) {
        if (hasReason(err, 'NotFound')) return;
        throw err;
      }
    }
    await this.forceDelete(pod);
  }

  private async forceDelete(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid;
    this.ctx.logger.info('pod GC deleting pod', { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` });
    try {
      await this.podClient.delete(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', {
        gracePeriodSeconds: 0,
        ...(uid ? { preconditions: { uid } } : {}),
      });
    } catch (err) {
      if (hasReason(err, 'NotFound') || hasReason(err, 'Conflict')) return;
      throw err;
    }
  }
}
