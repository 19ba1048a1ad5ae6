import type { Node, Service } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { objectKey, R, type Informer } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import { nodeAddresses, planLoadBalancers, servedHere } from './plan.js';

/** The one queue key: a change to any Service or node may move ports or addresses of every load balancer. */
const ALL = 'all';

/**
 * Gives LoadBalancer Services the nodes' addresses as their ingress (plan.ts), so `kubectl get svc` shows an
 * EXTERNAL-IP and the service proxy on each node captures traffic to it. Services with a loadBalancerClass are
 * another implementation's; `--disable-servicelb` turns this controller off for one such as MetalLB.
 */
export class ServiceLbController extends QueueController {
  private readonly services: Informer<Service>;
  private readonly nodes: Informer<Node>;
  /** The conflict last reported per Service, so each is reported once. */
  private readonly reported = new Map<string, string>();

  constructor(ctx: ControllerContext) {
    super('service-lb-controller', ctx, { workers: 1 });
    this.services = ctx.informers.informer<Service>(R.services);
    this.nodes = ctx.informers.informer<Node>(R.nodes);
    const all = (): void => this.queue.add(ALL);
    // Only what can change a plan: node status updates (heartbeats among them) arrive all the time.
    this.services.addEventHandler({
      add: (svc) => servedHere(svc) && all(),
      update: (old, svc) => (servedHere(old) || servedHere(svc)) && all(),
      delete: (svc) => servedHere(svc) && all(),
    });
    this.nodes.addEventHandler({
      add: all,
      update: (old, node) => nodeAddresses([old]).join() !== nodeAddresses([node]).join() && all(),
      delete: all,
    });
  }

  protected async sync(): Promise<void> {
    const services = this.services.list().filter(servedHere);
    if (services.length === 0 && this.reported.size === 0) return;
    const plans = planLoadBalancers(services, this.nodes.list());
    for (const svc of services) {
      const key = objectKey(svc);
      const plan = plans.get(key);
      if (!plan) continue;
      if (plan.conflict && this.reported.get(key) !== plan.conflict) {
        this.ctx
          .events('service-lb-controller')
          .event(svc, 'Warning', 'SyncLoadBalancerFailed', plan.conflict);
      }
      if (plan.conflict) this.reported.set(key, plan.conflict);
      else this.reported.delete(key);
      await this.setIngress(svc, plan.ips);
    }
    for (const key of this.reported.keys()) if (!plans.has(key)) this.reported.delete(key);
  }

  private async setIngress(svc: Service, ips: string[]): Promise<void> {
    const current = (svc.status?.loadBalancer?.ingress ?? []).map(
      (i) => `${i.ip ?? i.hostname}/${i.ipMode ?? ''}`,
    );
    const wanted = ips.map((ip) => `${ip}/VIP`);
    if (current.length === wanted.length && current.every((c, i) => c === wanted[i])) return;
    const status = {
      ...svc.status,
      loadBalancer: ips.length ? { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' })) } : {},
    };
    try {
      await this.ctx.client.resource<Service>(R.services).updateStatus({ ...svc, status });
    } catch (err) {
      // Gone, or changed since the informer saw it: its own event brings another sync.
      if (hasReason(err, 'NotFound') || hasReason(err, 'Conflict')) return;
      throw err;
    }
    if (ips.length) {
      this.ctx
        .events('service-lb-controller')
        .event(svc, 'Normal', 'EnsuredLoadBalancer', `Ensured load balancer at ${ips.join(', ')}`);
    }
  }
}
