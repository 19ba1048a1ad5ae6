import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { selectorFromSet } from '../../api/labels.js';
import {
  objectKey,
  R,
  splitKey,
  type EventRecorder,
  type Informer,
  type ResourceClient,
} from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { namespaceTerminating } from '../endpointutil/api-errors.js';
import { hasManagedEndpoints, serviceSelector } from '../endpointutil/pod-inclusion.js';
import { queueServicesOnChanges } from '../endpointutil/pod-services.js';
import { TriggerTimeTracker } from '../endpointutil/trigger-time.js';
import { QueueController } from '../queue-controller.js';
import { CONTROLLER_NAME, desiredEndpoints, endpointSubsets, MANAGED_BY_LABEL } from './desired-endpoints.js';

const isManaged = (ep: Endpoints): boolean => ep.metadata?.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME;

/**
 * Upstream's endpoint controller (pkg/controller/endpoint): keeps an Endpoints object beside every Service with a
 * selector, listing the addresses of the pods it selects, ready and not ready, per port; deletes the Endpoints
 * it manages once their Service is gone. Services without a selector keep the Endpoints their users write.
 */
export class EndpointsController extends QueueController {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly client: ResourceClient<Endpoints>;
  private readonly recorder: EventRecorder;
  private readonly triggerTimes = new TriggerTimeTracker();
  /** resourceVersion of our last write per key: a cache older than that is stale (upstream's stale tracker). */
  private readonly written = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    super(CONTROLLER_NAME, ctx);
    this.recorder = ctx.events(CONTROLLER_NAME);
    this.client = ctx.client.resource<Endpoints>(R.endpoints);
    this.services = ctx.informers.informer<Service>(R.services);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.endpoints = ctx.informers.informer<Endpoints>(R.endpoints);
    queueServicesOnChanges(this.services, this.pods, (key) => this.queue.add(key));
    this.endpoints.addEventHandler({
      delete: (ep) => {
        const key = objectKey(ep);
        this.written.delete(key);
        this.queue.add(key);
      },
    });
  }

  override run(): void {
    super.run();
    // Endpoints whose Service went while no controller ran (upstream checkLeftoverEndpoints).
    for (const ep of this.endpoints.list()) if (isManaged(ep)) this.enqueue(ep);
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = this.services.get(namespace, name);
    if (!service) {
      this.triggerTimes.delete(key);
      await this.deleteOrphan(key);
      return;
    }
    const selector = serviceSelector(service);
    if (!selector || !hasManagedEndpoints(service)) {
      this.written.delete(key);
      return;
    }
    const matches = selectorFromSet(selector);
    const pods = this.pods.list(namespace).filter((p) => matches.matches(p.metadata?.labels ?? {}));
    // Computed on every sync, written or not, so the tracker sees each change once (as upstream).
    const triggerTime = this.triggerTimes.compute(key, service, pods);
    const current = this.endpoints.get(namespace, name);
    const written = this.written.get(key);
    if (written !== undefined) {
      if (!current || Number(current.metadata?.resourceVersion ?? 0) < written) {
        throw new Error(`endpoints informer cache is out of date for ${key}`);
      }
      this.written.delete(key);
    }
    const next = desiredEndpoints(service, current, endpointSubsets(service, pods), triggerTime);
    if (!next) return;
    let saved: Endpoints;
    try {
      saved = current ? await this.client.update(next) : await this.client.create(next);
    } catch (err) {
      // Creates in a terminating namespace keep failing; the namespace's deletion takes the Service too.
      if (!current && namespaceTerminating(err)) return;
      const message = err instanceof Error ? err.message : String(err);
      if (current) {
        this.recorder.event(
          next,
          'Warning',
          'FailedToUpdateEndpoint',
          `Failed to update endpoint ${key}: ${message}`,
        );
      } else {
        this.recorder.event(
          next,
          'Warning',
          'FailedToCreateEndpoint',
          `Failed to create endpoint for service ${key}: ${message}`,
        );
      }
      throw err;
    }
    this.written.set(key, Number(saved.metadata?.resourceVersion ?? 0));
  }

  /** The Service is gone: its Endpoints go too, when this controller wrote them. */
  private async deleteOrphan(key: string): Promise<void> {
    this.written.delete(key);
    const current = this.endpoints.getByKey(key);
    if (!current || !isManaged(current)) return;
    const { namespace, name } = splitKey(key);
    try {
      await this.client.delete(namespace, name, { preconditions: { uid: current.metadata?.uid ?? '' } });
    } catch (err) {
      // Gone already, or replaced by a new object the next event will bring.
      if (!hasReason(err, 'NotFound') && !hasReason(err, 'Conflict')) throw err;
    }
  }
}
