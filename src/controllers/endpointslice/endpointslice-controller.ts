import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { hasReason } from '../../api/errors.js';
import { selectorFromSet } from '../../api/labels.js';
import { R, splitKey, type EventRecorder, type Informer, type ResourceClient } from '../../client/index.js';
import { rfc3339 } from '../../util/clock.js';
import type { ControllerContext } from '../context.js';
import { namespaceTerminating } from '../endpointutil/api-errors.js';
import { hasManagedEndpoints, serviceSelector } from '../endpointutil/pod-inclusion.js';
import { queueServicesOnChanges } from '../endpointutil/pod-services.js';
import { LAST_CHANGE_TRIGGER_TIME, TriggerTimeTracker } from '../endpointutil/trigger-time.js';
import { QueueController } from '../queue-controller.js';
import { reconcileSlices, type SliceChanges } from './reconcile.js';
import {
  CONTROLLER_NAME,
  DEFAULT_MAX_ENDPOINTS_PER_SLICE,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
} from './slice-meta.js';
import { serviceKeyOf, SliceTracker } from './slice-tracker.js';

const SLICES_BY_SERVICE = 'endpointslice-controller/service';
/** Upstream endpointSliceChangeMinSyncDelay: slice events wait a little so several collapse into one sync. */
const SLICE_CHANGE_DELAY_MS = 1000;

const isManaged = (slice: EndpointSlice): boolean =>
  slice.metadata?.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME;

/**
 * Upstream's EndpointSlice controller (pkg/controller/endpointslice with k8s.io/endpointslice's reconciler):
 * keeps the EndpointSlices of every Service with a selector listing its pods, at most maxEndpointsPerSlice
 * endpoints per slice, with few writes as pods come and go. The slices are owned by their Service, and
 * deleted here once it is gone (the garbage collector would too).
 */
export class EndpointSliceController extends QueueController {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly client: ResourceClient<EndpointSlice>;
  private readonly recorder: EventRecorder;
  private readonly tracker = new SliceTracker();
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly maxEndpointsPerSlice: number;

  constructor(ctx: ControllerContext) {
    super('endpointslice-controller', ctx);
    const max = ctx.options.maxEndpointsPerSlice;
    this.maxEndpointsPerSlice = typeof max === 'number' && max > 0 ? max : DEFAULT_MAX_ENDPOINTS_PER_SLICE;
    this.recorder = ctx.events('endpoint-slice-controller');
    this.client = ctx.client.resource<EndpointSlice>(R.endpointSlices);
    this.services = ctx.informers.informer<Service>(R.services);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.nodes = ctx.informers.informer<Node>(R.nodes);
    this.slices = ctx.informers.informer<EndpointSlice>(R.endpointSlices);
    this.slices.addIndexer(SLICES_BY_SERVICE, (s) => {
      const key = isManaged(s) ? serviceKeyOf(s) : undefined;
      return key === undefined ? [] : [key];
    });
    queueServicesOnChanges(this.services, this.pods, (key) => this.queue.add(key));
    this.slices.addEventHandler({
      add: (s) => {
        if (isManaged(s) && this.tracker.shouldSync(s)) this.sliceChanged(s);
      },
      update: (old, cur) => {
        // Users may relabel a slice to another Service: both need a look.
        if (old.metadata?.labels?.[SERVICE_NAME_LABEL] !== cur.metadata?.labels?.[SERVICE_NAME_LABEL]) {
          this.sliceChanged(old);
          this.sliceChanged(cur);
        } else if (isManaged(old) !== isManaged(cur) || (isManaged(cur) && this.tracker.shouldSync(cur))) {
          this.sliceChanged(cur);
        }
      },
      delete: (s) => {
        if (!this.tracker.handleDeletion(s) && isManaged(s)) this.sliceChanged(s);
      },
    });
  }

  private sliceChanged(slice: EndpointSlice): void {
    const key = serviceKeyOf(slice);
    if (key !== undefined) this.queue.addAfter(key, SLICE_CHANGE_DELAY_MS);
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = this.services.get(namespace, name);
    if (!service) {
      this.triggerTimes.delete(key);
      this.tracker.deleteService(key);
      await this.deleteSlicesOfGoneService(key);
      return;
    }
    const selector = serviceSelector(service);
    if (!selector || !hasManagedEndpoints(service)) return;
    const serviceUid = service.metadata?.uid ?? '';
    const matches = selectorFromSet(selector);
    const pods = this.pods.list(namespace).filter((p) => matches.matches(p.metadata?.labels ?? {}));
    const existing = this.slices
      .byIndex(SLICES_BY_SERVICE, key)
      .filter((s) => !s.metadata?.deletionTimestamp);
    if (this.tracker.stale(key, serviceUid, existing)) {
      throw new Error(`EndpointSlice informer cache is out of date for ${key}`);
    }
    const triggerTime = this.triggerTimes.compute(key, service, pods);
    const changes = reconcileSlices({
      service,
      pods,
      existing,
      node: (n) => (n ? this.nodes.get('', n) : undefined),
      maxEndpointsPerSlice: this.maxEndpointsPerSlice,
    });
    try {
      await this.apply(key, service, changes, triggerTime);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.recorder.event(
        service,
        'Warning',
        'FailedToUpdateEndpointSlices',
        `Error updating Endpoint Slices for Service ${key}: ${message}`,
      );
      throw err;
    }
    if (changes.podsWithoutNode.length > 0) {
      throw new Error(
        `skipped pods of Service ${key} whose Node is not found: ${changes.podsWithoutNode.join(', ')}`,
      );
    }
  }

  /** Upstream finalize: creates (not for a Service being deleted), then updates, then deletes. */
  private async apply(
    key: string,
    service: Service,
    changes: SliceChanges,
    triggerTime: number | undefined,
  ): Promise<void> {
    const serviceUid = service.metadata?.uid ?? '';
    if (!service.metadata?.deletionTimestamp) {
      for (const slice of changes.create) {
        let created: EndpointSlice;
        try {
          created = await this.client.create(withTriggerTime(slice, triggerTime));
        } catch (err) {
          if (namespaceTerminating(err)) return;
          throw err;
        }
        this.tracker.written(key, serviceUid, created);
      }
    }
    for (const slice of changes.update) {
      this.tracker.written(key, serviceUid, await this.client.update(withTriggerTime(slice, triggerTime)));
    }
    for (const slice of changes.delete) {
      await this.deleteSlice(slice);
      this.tracker.expectDeletion(key, serviceUid, slice);
    }
  }

  private async deleteSlicesOfGoneService(key: string): Promise<void> {
    for (const slice of this.slices.byIndex(SLICES_BY_SERVICE, key)) {
      if (!slice.metadata?.deletionTimestamp) await this.deleteSlice(slice);
    }
  }

  private async deleteSlice(slice: EndpointSlice): Promise<void> {
    try {
      await this.client.delete(slice.metadata?.namespace ?? '', slice.metadata?.name ?? '', {
        preconditions: { uid: slice.metadata?.uid ?? '' },
      });
    } catch (err) {
      // Gone already, or replaced by a new slice (precondition failed).
      if (!hasReason(err, 'NotFound') && !hasReason(err, 'Conflict')) throw err;
    }
  }
}

/** Upstream addTriggerTimeAnnotation: every slice written carries the trigger time, or none when there is none. */
function withTriggerTime(slice: EndpointSlice, triggerTime: number | undefined): EndpointSlice {
  const annotations: Record<string, string> = { ...slice.metadata?.annotations };
  if (triggerTime !== undefined) annotations[LAST_CHANGE_TRIGGER_TIME] = rfc3339(triggerTime);
  else delete annotations[LAST_CHANGE_TRIGGER_TIME];
  const metadata = { ...slice.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...slice, metadata };
}
