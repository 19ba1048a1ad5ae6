import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { deepEqual } from '../../api/meta.js';
import { hasReason } from '../../api/errors.js';
import { ANN_CLUSTER_DNS_ADDRESS, KUBE_DNS_NAMESPACE, KUBE_DNS_SERVICE } from '../../api/cluster-dns.js';
import { R, type Informer } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import { anyServer, desiredService, desiredSlice, isOurs, kubeDnsClusterIp, SLICE_NAME } from './plan.js';

/** The one queue key: every change is a change to the one Service and its one slice. */
const ALL = 'all';

const servesDns = (n: Node): string => n.metadata?.annotations?.[ANN_CLUSTER_DNS_ADDRESS] ?? '';
const readiness = (n: Node): string => n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '';

/**
 * Keeps `kube-system/kube-dns` for clusters whose DNS is the agents' own (plan.ts): created once a node serves
 * the cluster DNS, its EndpointSlice following those nodes and their readiness. A kube-dns Service someone else
 * made (CoreDNS's, with `--cluster-dns`) is left alone; a deleted one comes back while nodes serve DNS.
 */
export class ClusterDnsServiceController extends QueueController {
  private readonly services: Informer<Service>;
  private readonly nodes: Informer<Node>;
  private readonly slices: Informer<EndpointSlice>;

  constructor(ctx: ControllerContext) {
    super('cluster-dns-service-controller', ctx, { workers: 1 });
    this.services = ctx.informers.informer<Service>(R.services);
    this.nodes = ctx.informers.informer<Node>(R.nodes);
    this.slices = ctx.informers.informer<EndpointSlice>(R.endpointSlices);
    const all = (): void => this.queue.add(ALL);
    const isKubeDns = (o: { metadata?: { namespace?: string; name?: string } }, name: string): boolean =>
      o.metadata?.namespace === KUBE_DNS_NAMESPACE && o.metadata.name === name;
    this.services.addEventHandler({
      add: (s) => isKubeDns(s, KUBE_DNS_SERVICE) && all(),
      update: (_o, s) => isKubeDns(s, KUBE_DNS_SERVICE) && all(),
      delete: (s) => isKubeDns(s, KUBE_DNS_SERVICE) && all(),
    });
    this.slices.addEventHandler({
      add: (s) => isKubeDns(s, SLICE_NAME) && all(),
      update: (_o, s) => isKubeDns(s, SLICE_NAME) && all(),
      delete: (s) => isKubeDns(s, SLICE_NAME) && all(),
    });
    // Heartbeats update nodes all the time: only the DNS address and readiness matter here.
    this.nodes.addEventHandler({
      add: (n) => servesDns(n) !== '' && all(),
      update: (o, n) => (servesDns(o) !== servesDns(n) || readiness(o) !== readiness(n)) && all(),
      delete: (n) => servesDns(n) !== '' && all(),
    });
  }

  protected async sync(): Promise<void> {
    const nodes = this.nodes.list();
    let svc = this.services.get(KUBE_DNS_NAMESPACE, KUBE_DNS_SERVICE);
    if (svc && !isOurs(svc)) return;
    if (!svc) {
      if (!anyServer(nodes)) return;
      svc = await this.createService();
    }
    const family = svc.spec?.ipFamilies?.[0] ?? (svc.spec?.clusterIP?.includes(':') ? 'IPv6' : 'IPv4');
    const want = desiredSlice(nodes, family === 'IPv6' ? 'IPv6' : 'IPv4');
    const slices = this.ctx.client.resource<EndpointSlice>(R.endpointSlices);
    const current = this.slices.get(KUBE_DNS_NAMESPACE, SLICE_NAME);
    if (!current) {
      await slices.create(want).catch((err: unknown) => {
        if (!hasReason(err, 'AlreadyExists')) throw err;
      });
      return;
    }
    if (deepEqual(current.endpoints ?? [], want.endpoints) && deepEqual(current.ports ?? [], want.ports))
      return;
    await slices
      .update({ ...current, endpoints: want.endpoints, ports: want.ports })
      .catch((err: unknown) => {
        // Changed or gone since the informer saw it: its own event brings another sync.
        if (!hasReason(err, 'Conflict') && !hasReason(err, 'NotFound')) throw err;
      });
  }

  /** With the conventional address when it is free, else any. */
  private async createService(): Promise<Service> {
    const services = this.ctx.client.resource<Service>(R.services);
    const kubernetesIp = this.services.get('default', 'kubernetes')?.spec?.clusterIP;
    const conventional = kubernetesIp ? kubeDnsClusterIp(kubernetesIp) : undefined;
    try {
      return await services.create(desiredService(conventional));
    } catch (err) {
      if (hasReason(err, 'AlreadyExists')) return services.get(KUBE_DNS_NAMESPACE, KUBE_DNS_SERVICE);
      if (!conventional || !hasReason(err, 'Invalid')) throw err;
      this.logger.warn('the conventional kube-dns address is taken; kube-dns gets another', {
        address: conventional,
      });
      return services.create(desiredService(undefined));
    }
  }
}
