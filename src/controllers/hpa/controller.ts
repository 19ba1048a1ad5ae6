import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerCondition,
  MetricSpec,
  MetricStatus,
  MetricTarget,
  MetricValueStatus,
} from 'kubernetes-types/autoscaling/v2.js';
import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseLabelSelector } from '../../api/labels.js';
import { formatQuantity, parseQuantity, quantityFromNanos, quantityMilliValue } from '../../api/quantity.js';
import {
  objectKey,
  R,
  splitKey,
  type EventRecorder,
  type Informer,
  type SyncResult,
} from '../../client/index.js';
import { rfc3339 } from '../../util/clock.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import { DOWNSCALE_STABILIZATION_MS, limitWithRules, ScalingHistory } from './behavior.js';
import { setCondition } from './conditions.js';
import { podResourceMetrics } from './metrics-client.js';
import {
  averageValueReplicas,
  CPU_INITIALIZATION_PERIOD_MS,
  INITIAL_READINESS_DELAY_MS,
  resourceReplicas,
  TOLERANCE,
  type CalculatorConfig,
} from './replica-calculator.js';
import type { ResourceClient } from '../../client/index.js';
import { scaleTargetResource } from './scale-target.js';
import { cloneJson, type KubeObject } from '../../api/meta.js';

export const HPA_CONTROLLER = 'horizontal-pod-autoscaler';
const DEFAULT_SYNC_PERIOD_MS = 15_000;

interface MetricsOutcome {
  replicas: number;
  metric: string;
  statuses: MetricStatus[];
  error?: string;
}

function milliQuantity(milli: number): string {
  return formatQuantity(quantityFromNanos(BigInt(Math.trunc(milli)) * 1_000_000n));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const NO_CUSTOM_METRICS =
  'unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered';
const NO_EXTERNAL_METRICS =
  'unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered';

/** What every metric of one HPA is computed against. */
interface MetricQuery {
  namespace: string;
  selector: string;
  current: number;
  pods: Pod[];
  cfg: CalculatorConfig;
}

interface MetricProposal {
  replicas: number;
  metric: string;
  status: MetricStatus;
}

/**
 * A metric that gave no proposal: `reason` is the ScalingActive condition's and the event's, `detail` their
 * message, and the error's message (the HPA's summary of failed metrics) prefixes the detail with the metric.
 */
class MetricError extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string,
    prefix?: string,
  ) {
    super(prefix ? `${prefix}: ${detail}` : detail);
  }
}

async function withMetricError(
  reason: string,
  prefix: string,
  compute: () => Promise<MetricProposal>,
): Promise<MetricProposal> {
  try {
    return await compute();
  } catch (err) {
    throw new MetricError(reason, errorText(err), prefix);
  }
}

function numberOption(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/**
 * The HorizontalPodAutoscaler controller (upstream pkg/controller/podautoscaler): every sync period it reads the
 * target's scale subresource and the pods' resource metrics, computes the desired replicas per metric, applies
 * stabilization windows, rate policies and min/max, writes the scale and the HPA status.
 *
 * Options: hpaSyncPeriodMs (15 s), hpaTolerance (0.1), hpaDownscaleStabilizationMs (5 min),
 * hpaCpuInitializationPeriodMs (5 min), hpaInitialReadinessDelayMs (30 s).
 */
export class HorizontalPodAutoscalerController extends QueueController {
  private readonly hpas: Informer<HorizontalPodAutoscaler>;
  private readonly pods: Informer<Pod>;
  private readonly history: ScalingHistory;
  private readonly events: EventRecorder;
  private readonly syncPeriodMs: number;
  private readonly tolerance: number;
  private readonly cpuInitializationPeriodMs: number;
  private readonly initialReadinessDelayMs: number;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(ctx: ControllerContext) {
    super(HPA_CONTROLLER, ctx);
    const o = ctx.options;
    this.syncPeriodMs = numberOption(o.hpaSyncPeriodMs, DEFAULT_SYNC_PERIOD_MS);
    this.tolerance = numberOption(o.hpaTolerance, TOLERANCE);
    this.cpuInitializationPeriodMs = numberOption(
      o.hpaCpuInitializationPeriodMs,
      CPU_INITIALIZATION_PERIOD_MS,
    );
    this.initialReadinessDelayMs = numberOption(o.hpaInitialReadinessDelayMs, INITIAL_READINESS_DELAY_MS);
    this.history = new ScalingHistory(
      numberOption(o.hpaDownscaleStabilizationMs, DOWNSCALE_STABILIZATION_MS),
    );
    this.events = ctx.events('horizontal-pod-autoscaler');
    this.hpas = ctx.informers.informer<HorizontalPodAutoscaler>(R.horizontalPodAutoscalers);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.hpas.addEventHandler({
      add: (h) => this.enqueue(h),
      // Our own status writes come back as updates: only a spec change is worth an early sync.
      update: (old, cur) => {
        if (old.metadata?.generation !== cur.metadata?.generation) this.enqueue(cur);
      },
      delete: (h) => {
        const key = objectKey(h);
        this.history.forget(key);
        clearTimeout(this.timers.get(key));
        this.timers.delete(key);
      },
    });
  }

  override async stop(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await super.stop();
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const cached = this.hpas.getByKey(key);
    if (!cached) {
      this.history.forget(key);
      return;
    }
    try {
      await this.reconcile(cloneJson(cached), key);
    } finally {
      // One periodic resync per HPA however often it was enqueued.
      clearTimeout(this.timers.get(key));
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.queue.add(key);
      }, this.syncPeriodMs);
      timer.unref?.();
      this.timers.set(key, timer);
    }
  }

  private async reconcile(hpa: HorizontalPodAutoscaler, key: string): Promise<void> {
    const now = this.ctx.clock.now();
    const { namespace } = splitKey(key);
    const spec = hpa.spec!;
    const ref = spec.scaleTargetRef;
    const conditions: HorizontalPodAutoscalerCondition[] = cloneJson(hpa.status?.conditions ?? []);
    const status = cloneJson(hpa.status ?? { desiredReplicas: 0 });
    let scale: Scale;
    let scales: ResourceClient<KubeObject>;
    try {
      const target = await scaleTargetResource(this.ctx.client, ref);
      if (!target) {
        const group = ref.apiVersion?.includes('/') ? ref.apiVersion.split('/')[0] : '';
        throw new Error(`no matches for kind "${ref.kind}" in group "${group}"`);
      }
      scales = this.ctx.client.resource(target);
      scale = await scales.getSubresource<Scale>(namespace, ref.name, 'scale');
    } catch (err) {
      const msg = errorText(err);
      this.events.event(hpa, 'Warning', 'FailedGetScale', msg);
      setCondition(
        conditions,
        'AbleToScale',
        'False',
        'FailedGetScale',
        `the HPA controller was unable to get the target's current scale: ${msg}`,
        now,
      );
      await this.writeStatus(hpa, { ...status, conditions });
      return;
    }
    setCondition(
      conditions,
      'AbleToScale',
      'True',
      'SucceededGetScale',
      "the HPA controller was able to get the target's current scale",
      now,
    );
    const current = scale.spec?.replicas ?? 0;
    this.history.recordInitial(key, current, now);
    const min = spec.minReplicas ?? 1;
    const max = spec.maxReplicas;
    let desired = 0;
    let reason = '';
    let rescale = true;
    let statuses: MetricStatus[] = status.currentMetrics ?? [];

    if (current === 0 && min !== 0) {
      rescale = false;
      setCondition(
        conditions,
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
        now,
      );
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const outcome = await this.replicasForMetrics(hpa, scale, current, conditions, now);
      statuses = outcome.statuses;
      if (outcome.replicas === -1) {
        this.events.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', outcome.error ?? '');
        await this.writeStatus(hpa, {
          ...status,
          currentReplicas: current,
          currentMetrics: statuses,
          conditions,
        });
        return;
      }
      desired = Math.max(0, outcome.replicas);
      if (desired > current) reason = `${outcome.metric} above target`;
      if (desired < current) reason = 'All metrics below target';
      desired = spec.behavior
        ? this.normalizeWithBehavior(hpa, key, current, desired, min, conditions, now)
        : this.normalize(key, current, desired, min, max, conditions, now);
      rescale = desired !== current;
    }

    let lastScaleTime = status.lastScaleTime;
    if (rescale) {
      try {
        const next: Scale = { ...scale, spec: { ...scale.spec, replicas: desired } };
        await scales.updateSubresource(namespace, ref.name, 'scale', next);
      } catch (err) {
        const msg = errorText(err);
        this.events.event(
          hpa,
          'Warning',
          'FailedRescale',
          `New size: ${desired}; reason: ${reason}; error: ${msg}`,
        );
        setCondition(
          conditions,
          'AbleToScale',
          'False',
          'FailedUpdateScale',
          `the HPA controller was unable to update the target scale: ${msg}`,
          now,
        );
        await this.writeStatus(hpa, {
          ...status,
          currentReplicas: current,
          currentMetrics: statuses,
          conditions,
        });
        throw err;
      }
      setCondition(
        conditions,
        'AbleToScale',
        'True',
        'SucceededRescale',
        `the HPA controller was able to update the target scale to ${desired}`,
        now,
      );
      this.events.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      this.history.recordScale(key, spec.behavior, current, desired, now);
      lastScaleTime = rfc3339(now);
      this.logger.info('rescaled', { hpa: key, from: current, to: desired, reason });
    } else {
      desired = current;
    }
    await this.writeStatus(hpa, {
      ...(hpa.metadata?.generation !== undefined ? { observedGeneration: hpa.metadata.generation } : {}),
      ...(lastScaleTime ? { lastScaleTime } : {}),
      currentReplicas: current,
      desiredReplicas: desired,
      ...(statuses.length > 0 ? { currentMetrics: statuses } : {}),
      conditions,
    });
  }

  private async replicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    scale: Scale,
    current: number,
    conditions: HorizontalPodAutoscalerCondition[],
    now: number,
  ): Promise<MetricsOutcome & { replicas: number }> {
    const selectorText = scale.status?.selector ?? '';
    const fail = (reason: string, message: string, error: string): MetricsOutcome => {
      setCondition(conditions, 'ScalingActive', 'False', reason, message, now);
      return { replicas: -1, metric: '', statuses: [], error };
    };
    if (!selectorText) {
      this.events.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      return fail('InvalidSelector', "the HPA target's scale is missing a selector", 'selector is required');
    }
    let selector;
    try {
      selector = parseLabelSelector(selectorText);
    } catch (err) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${errorText(err)}`;
      this.events.event(hpa, 'Warning', 'InvalidSelector', msg);
      return fail('InvalidSelector', msg, msg);
    }
    const namespace = hpa.metadata?.namespace ?? '';
    const pods = this.pods.list(namespace).filter((p) => selector.matches(p.metadata?.labels ?? {}));
    const specs = hpa.spec?.metrics ?? [];
    const cfg: CalculatorConfig = {
      tolerance: this.tolerance,
      cpuInitializationPeriodMs: this.cpuInitializationPeriodMs,
      initialReadinessDelayMs: this.initialReadinessDelayMs,
      nowMs: now,
    };
    const query: MetricQuery = { namespace, selector: selectorText, current, pods, cfg };
    let replicas = 0;
    let metric = '';
    const statuses: MetricStatus[] = [];
    let invalid = 0;
    let firstError: string | undefined;
    let firstCondition: { reason: string; message: string } | undefined;
    for (const m of specs) {
      try {
        const r = await this.replicasForMetric(m, query);
        statuses.push(r.status);
        if (replicas === 0 || r.replicas > replicas) {
          replicas = r.replicas;
          metric = r.metric;
        }
      } catch (err) {
        const e =
          err instanceof MetricError ? err : new MetricError('FailedGetResourceMetric', errorText(err));
        invalid++;
        // As upstream, the event and the condition carry the cause; the summary names the metric too.
        this.events.event(hpa, 'Warning', e.reason, e.detail);
        firstError ??= e.message;
        firstCondition ??= {
          reason: e.reason,
          message: `the HPA was unable to compute the replica count: ${e.detail}`,
        };
      }
    }
    if (specs.length === 0 || invalid >= specs.length || (invalid > 0 && replicas < current)) {
      const error = `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError ?? 'no metrics'}`;
      const c = firstCondition ?? { reason: 'InvalidMetricSourceType', message: 'the HPA has no metrics' };
      const out = fail(c.reason, c.message, error);
      return { ...out, statuses };
    }
    setCondition(
      conditions,
      'ScalingActive',
      'True',
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${metric}`,
      now,
    );
    return { replicas, metric, statuses };
  }

  /** Upstream computeReplicasForMetric: one metric's proposal, or a MetricError naming its condition reason. */
  private async replicasForMetric(m: MetricSpec, q: MetricQuery): Promise<MetricProposal> {
    switch (m.type) {
      case 'Resource': {
        const name = m.resource?.name ?? '';
        return withMetricError(
          'FailedGetResourceMetric',
          `failed to get ${name} resource metric value`,
          async () => {
            const r = await this.resourceProposal(m.resource?.target, name, undefined, q);
            return { ...r, status: { type: 'Resource', resource: { name, current: r.current } } };
          },
        );
      }
      case 'ContainerResource': {
        const source = m.containerResource;
        const name = source?.name ?? '';
        const container = source?.container ?? '';
        return withMetricError(
          'FailedGetContainerResourceMetric',
          `failed to get ${container} container metric value`,
          async () => {
            const r = await this.resourceProposal(source?.target, name, container, q);
            return {
              ...r,
              status: {
                type: 'ContainerResource',
                containerResource: { name, container, current: r.current },
              },
            };
          },
        );
      }
      case 'Pods':
        // Custom and external metrics come from adapters registered as aggregated APIs, which Tugboat does not serve.
        throw new MetricError(
          'FailedGetPodsMetric',
          `unable to get metric ${m.pods?.metric.name ?? ''}: ${NO_CUSTOM_METRICS}`,
          'failed to get pods metric value',
        );
      case 'Object':
        throw new MetricError(
          'FailedGetObjectMetric',
          `unable to get metric ${m.object?.metric.name ?? ''}: ${NO_CUSTOM_METRICS}`,
          'failed to get object metric value',
        );
      case 'External': {
        const name = m.external?.metric.name ?? '';
        throw new MetricError(
          'FailedGetExternalMetric',
          `unable to get external metric ${q.namespace}/${name}: ${NO_EXTERNAL_METRICS}`,
          `failed to get ${name} external metric value`,
        );
      }
      default:
        throw new MetricError('InvalidMetricSourceType', `unknown metric source type "${m.type}"`);
    }
  }

  /** Upstream computeStatusForResourceMetricGeneric: a Resource or ContainerResource target. */
  private async resourceProposal(
    target: MetricTarget | undefined,
    name: string,
    container: string | undefined,
    { namespace, selector, current, pods, cfg }: MetricQuery,
  ): Promise<{ replicas: number; metric: string; current: MetricValueStatus }> {
    const kind = container === undefined ? 'resource' : 'container resource';
    if (target?.averageValue != null) {
      try {
        const metrics = await podResourceMetrics(this.ctx.client, namespace, selector, name, container);
        const targetMilli = Number(quantityMilliValue(parseQuantity(target.averageValue)));
        const r = averageValueReplicas(current, targetMilli, name, metrics, pods, cfg);
        return {
          replicas: r.replicas,
          metric: `${name} resource`,
          current: { averageValue: milliQuantity(r.rawAverageMilli) },
        };
      } catch (err) {
        throw new Error(`failed to get ${name} usage: ${errorText(err)}`);
      }
    }
    if (target?.averageUtilization == null) {
      throw new Error(
        'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set',
      );
    }
    try {
      const metrics = await podResourceMetrics(this.ctx.client, namespace, selector, name, container);
      const r = resourceReplicas(current, target.averageUtilization, name, metrics, pods, cfg, container);
      return {
        replicas: r.replicas,
        metric: `${name} ${kind} utilization (percentage of request)`,
        current: { averageUtilization: r.utilization ?? 0, averageValue: milliQuantity(r.rawAverageMilli) },
      };
    } catch (err) {
      throw new Error(`failed to get ${name} utilization: ${errorText(err)}`);
    }
  }

  private normalize(
    key: string,
    current: number,
    desired: number,
    min: number,
    max: number,
    conditions: HorizontalPodAutoscalerCondition[],
    now: number,
  ): number {
    const stabilized = this.history.stabilize(key, desired, now);
    if (stabilized !== desired) {
      setCondition(
        conditions,
        'AbleToScale',
        'True',
        'ScaleDownStabilized',
        'recent recommendations were higher than current one, applying the highest recent recommendation',
        now,
      );
    } else {
      setCondition(
        conditions,
        'AbleToScale',
        'True',
        'ReadyForNewScale',
        'recommended size matches current size',
        now,
      );
    }
    const limited = limitWithRules(current, stabilized, min, max);
    setCondition(
      conditions,
      'ScalingLimited',
      limited.replicas === stabilized ? 'False' : 'True',
      limited.reason,
      limited.message,
      now,
    );
    return limited.replicas;
  }

  private normalizeWithBehavior(
    hpa: HorizontalPodAutoscaler,
    key: string,
    current: number,
    desired: number,
    min: number,
    conditions: HorizontalPodAutoscalerCondition[],
    now: number,
  ): number {
    const behavior = hpa.spec!.behavior!;
    const stabilized = this.history.stabilizeWithBehavior(key, current, desired, behavior, now);
    if (stabilized.replicas !== desired) {
      setCondition(conditions, 'AbleToScale', 'True', stabilized.reason, stabilized.message, now);
    } else {
      setCondition(
        conditions,
        'AbleToScale',
        'True',
        'ReadyForNewScale',
        'recommended size matches current size',
        now,
      );
    }
    const limited = this.history.limitRate(
      key,
      current,
      stabilized.replicas,
      min,
      hpa.spec!.maxReplicas,
      behavior,
      now,
    );
    setCondition(
      conditions,
      'ScalingLimited',
      limited.replicas === stabilized.replicas ? 'False' : 'True',
      limited.reason,
      limited.message,
      now,
    );
    return limited.replicas;
  }

  private async writeStatus(
    hpa: HorizontalPodAutoscaler,
    status: HorizontalPodAutoscaler['status'],
  ): Promise<void> {
    if (JSON.stringify(hpa.status ?? {}) === JSON.stringify(status ?? {})) return;
    await this.ctx.client
      .resource<HorizontalPodAutoscaler>(R.horizontalPodAutoscalers)
      .updateStatus({ ...hpa, status });
  }
}
