import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import { hasReason } from '../../api/errors.js';
import { R, type Informer } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import { aggregatedRules, aggregatorsSelecting, sameRules } from './aggregate.js';

export const CLUSTERROLE_AGGREGATION = 'clusterrole-aggregation';
const FIELD_MANAGER = 'clusterrole-aggregation-controller';

/**
 * Upstream's clusterrole-aggregation controller: a ClusterRole with an aggregationRule gets, as its rules, the
 * union of the rules of the ClusterRoles its selectors match (aggregate.ts). A change to any ClusterRole
 * requeues the aggregated roles whose selectors match its old or new labels (upstream requeues every
 * aggregated role), and the role itself when it is an aggregated one.
 */
export class ClusterRoleAggregationController extends QueueController {
  private readonly roles: Informer<ClusterRole>;

  constructor(ctx: ControllerContext) {
    super(CLUSTERROLE_AGGREGATION, ctx);
    this.roles = ctx.informers.informer<ClusterRole>(R.clusterRoles);
    this.roles.addEventHandler({
      add: (role) => this.requeueAffectedBy(role),
      update: (old, role) => {
        this.requeueAffectedBy(old);
        this.requeueAffectedBy(role);
      },
      delete: (role) => this.requeueAffectedBy(role),
    });
  }

  private requeueAffectedBy(role: ClusterRole): void {
    if (role.aggregationRule) this.enqueue(role);
    for (const name of aggregatorsSelecting(role.metadata?.labels, this.roles.list())) this.queue.add(name);
  }

  protected async sync(name: string): Promise<void> {
    const role = this.roles.get('', name);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, this.roles.list());
    if (sameRules(rules, role.rules ?? [])) return;
    try {
      // A merge patch of the whole (atomic) list: no conflict with other writers of the role, and no create
      // if the role went meanwhile (its delete event ends the matter).
      await this.ctx.client
        .resource<ClusterRole>(R.clusterRoles)
        .patch('', name, 'merge', { rules }, { fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (hasReason(err, 'NotFound')) return;
      throw err;
    }
  }
}
