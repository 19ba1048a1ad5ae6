/** Keeps ClusterRecords current from informers on Namespaces, Services and EndpointSlices. */
import type { Namespace, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  InformerFactory,
  R,
  stripManagedFields,
  type ApiClient,
  type SharedInformerPool,
} from '../client/index.js';
import type { Logger } from '../util/logger.js';
import type { ClusterRecords } from './cluster-records.js';

export interface RecordsFeed {
  /** Resolves once every informer has listed (the records then reflect the cluster). */
  synced: Promise<void>;
  stop(): void;
}

const nameOf = (o: { metadata?: { name?: string } }): string => o.metadata?.name ?? '';
const namespaceOf = (o: { metadata?: { namespace?: string } }): string => o.metadata?.namespace ?? '';

/** `shared`: informers the node agent's other components use too (one watch per resource for all of them). */
export function feedRecords(
  client: ApiClient,
  records: ClusterRecords,
  logger: Logger,
  shared?: SharedInformerPool,
): RecordsFeed {
  const factory = new InformerFactory(client, {
    logger,
    transform: stripManagedFields,
    ...(shared ? { shared } : {}),
  });
  const namespaces = factory.informer<Namespace>(R.namespaces);
  const services = factory.informer<Service>(R.services);
  const slices = factory.informer<EndpointSlice>(R.endpointSlices);
  namespaces.addEventHandler({
    add: (ns) => records.setNamespace(nameOf(ns)),
    delete: (ns) => records.deleteNamespace(nameOf(ns)),
  });
  services.addEventHandler({
    add: (svc) => records.setService(svc),
    update: (_, svc) => records.setService(svc),
    delete: (svc) => records.deleteService(namespaceOf(svc), nameOf(svc)),
  });
  slices.addEventHandler({
    add: (slice) => records.setEndpointSlice(slice),
    update: (_, slice) => records.setEndpointSlice(slice),
    delete: (slice) => records.deleteEndpointSlice(namespaceOf(slice), nameOf(slice)),
  });
  factory.start();
  const synced = factory.waitForSync().then(() => {
    // Stopping releases the waiters too: only a real sync counts.
    if ([namespaces, services, slices].every((i) => i.hasSynced())) records.markSynced();
  });
  return { synced, stop: () => factory.stop() };
}
