/** Authorization: the privileged group and RBAC, impersonation, and RBAC's escalation checks on writes. */
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';
import { Authorizer } from './authorizer.js';
import { forbiddenError } from './forbidden.js';
import { RbacIndex } from './rbac-index.js';
import { RbacWriteGuard } from './escalation.js';
import type { Attributes } from './types.js';

export { aggregate, PRIVILEGED_GROUP } from './authorizer.js';
export { nonResourceAttributes, requestAttributes } from './attributes.js';
export { impersonatedUser } from './impersonation.js';
export type { Attributes, Decision, PolicyRule } from './types.js';
export { Authorizer };

export class Authorization {
  readonly rbac = new RbacIndex();
  readonly authorizer = new Authorizer(this.rbac);
  readonly writes: RbacWriteGuard;

  /** @param caughtUp resolves once the watch cache holds every write the store acknowledged so far. */
  constructor(caughtUp?: () => Promise<void>) {
    this.writes = new RbacWriteGuard(this.authorizer, caughtUp);
  }

  /** Throws the upstream 403 when the request is not allowed. */
  require(attrs: Attributes): void {
    const decision = this.authorizer.authorize(attrs);
    if (!decision.allowed) throw forbiddenError(attrs, decision.reason);
  }

  track(storage: ObjectStorage, registry: Registry, watchCache: WatchCache): Promise<Subscription[]> {
    return this.rbac.track(storage, registry, watchCache);
  }
}
