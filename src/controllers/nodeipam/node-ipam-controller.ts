import type { Node } from 'kubernetes-types/core/v1.js';
import { formatCidr } from '../../util/cidr.js';
import { hasReason } from '../../api/errors.js';
import { R, type Informer } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import { CidrSet } from './cidr-set.js';

export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;
export const DEFAULT_NODE_CIDR_MASK_SIZE_V6 = 64;
const RETRY_WHEN_FULL_MS = 30_000;
/** Upstream's cidrUpdateWorkers. */
const CIDR_UPDATE_WORKERS = 30;

/**
 * Upstream's node IPAM range allocator: every node gets `spec.podCIDR`, a /24 (by default) of the cluster
 * CIDR, which its agent gives to the pod network. Subnets of deleted nodes are reused; what nodes already hold
 * is taken into account before anything is given out. A sync takes its subnet before its first `await`, so
 * syncs running side by side never hand out one subnet twice, and the patches run in parallel as upstream's
 * 30 CIDR update workers do (with one worker, 5,000 nodes registering at once waited some 20 s for the last).
 * Options: `clusterCidr` (default 10.42.0.0/16), `nodeCidrMaskSize` (default 24, 64 for IPv6).
 */
export class NodeIpamController extends QueueController {
  private readonly nodes: Informer<Node>;
  private readonly cidrs: CidrSet;
  /** Subnet per node name, as this controller knows it. */
  private readonly held = new Map<string, string>();
  private occupied = false;

  constructor(ctx: ControllerContext) {
    super('node-ipam-controller', ctx, { workers: CIDR_UPDATE_WORKERS });
    const clusterCidr =
      typeof ctx.options.clusterCidr === 'string' ? ctx.options.clusterCidr : DEFAULT_CLUSTER_CIDR;
    const mask =
      typeof ctx.options.nodeCidrMaskSize === 'number'
        ? ctx.options.nodeCidrMaskSize
        : clusterCidr.includes(':')
          ? DEFAULT_NODE_CIDR_MASK_SIZE_V6
          : DEFAULT_NODE_CIDR_MASK_SIZE;
    this.cidrs = new CidrSet(clusterCidr, mask);
    this.nodes = ctx.informers.informer<Node>(R.nodes);
    this.nodes.addEventHandler({
      add: (n) => this.enqueue(n),
      update: (_, n) => this.enqueue(n),
      delete: (n) => this.enqueue(n),
    });
  }

  protected async sync(name: string): Promise<{ requeueAfterMs: number } | void> {
    this.occupyExisting();
    const node = this.nodes.get('', name);
    const had = this.held.get(name);
    if (!node) {
      if (had) this.cidrs.release(had);
      this.held.delete(name);
      return;
    }
    const current = node.spec?.podCIDR;
    if (current) {
      if (had !== current) {
        if (had) this.cidrs.release(had);
        if (this.cidrs.occupy(current)) this.held.set(name, current);
      }
      return;
    }
    const cidr = had ?? this.cidrs.allocate();
    if (!cidr) {
      this.ctx
        .events('cidrAllocator')
        .event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      this.logger.warn('no pod CIDR left for node', {
        node: name,
        clusterCidr: formatCidr(this.cidrs.cluster),
      });
      return { requeueAfterMs: RETRY_WHEN_FULL_MS };
    }
    this.held.set(name, cidr);
    try {
      await this.ctx.client
        .resource<Node>(R.nodes)
        .patch('', name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      this.logger.info('assigned pod CIDR', { node: name, podCIDR: cidr });
    } catch (err) {
      if (hasReason(err, 'NotFound')) {
        this.cidrs.release(cidr);
        this.held.delete(name);
        return;
      }
      // Keep the subnet reserved for this node: the retry patches the same one.
      throw err;
    }
  }

  /** Before the first allocation, take every subnet nodes already hold, so none is handed out twice. */
  private occupyExisting(): void {
    if (this.occupied) return;
    this.occupied = true;
    for (const node of this.nodes.list()) {
      const cidr = node.spec?.podCIDR;
      const name = node.metadata?.name;
      if (cidr && name && this.cidrs.occupy(cidr)) this.held.set(name, cidr);
    }
  }
}
