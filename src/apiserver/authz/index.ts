/**
 * Authorization: the privileged group, the Node authorizer and RBAC, impersonation, and the checks on writes
 * (RBAC escalation, certificate approval and signing).
 */
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';
import type { UserInfo } from '../config.js';
import type { KubeObject } from '../../api/meta.js';
import { Authorizer } from './authorizer.js';
import { admitCertificateSigningRequest, isCertificateSigningRequest } from './certificate-admission.js';
import { forbiddenError } from './forbidden.js';
import { NodeAuthorizer } from './node-authorizer.js';
import { NodeGraph } from './node-graph.js';
import { RbacIndex } from './rbac-index.js';
import { RbacWriteGuard } from './escalation.js';
import type { Attributes } from './types.js';

export { aggregate, PRIVILEGED_GROUP } from './authorizer.js';
export { nonResourceAttributes, requestAttributes } from './attributes.js';
export { impersonatedUser } from './impersonation.js';
export { NODE_LEASE_NAMESPACE, NODES_GROUP, nodeIdentity, nodeUsername } from './node-identity.js';
export type { Attributes, Decision, PolicyRule } from './types.js';
export { Authorizer };

/** Told the final decision of a request's authorization (for its audit annotations). */
export type DecisionObserver = (allowed: boolean, reason: string) => void;

export class Authorization {
  readonly rbac = new RbacIndex();
  readonly nodeGraph = new NodeGraph();
  readonly authorizer = new Authorizer(this.rbac, new NodeAuthorizer(this.nodeGraph));
  readonly writes: RbacWriteGuard;

  /** @param caughtUp resolves once the watch cache holds every write the store acknowledged so far. */
  constructor(private readonly caughtUp: () => Promise<void> = () => Promise.resolve()) {
    this.writes = new RbacWriteGuard(this.authorizer, caughtUp);
  }

  /**
   * Throws the upstream 403 when the request is not allowed. A node's request the graph found no relationship
   * for is decided again once the watch cache caught up (a kubelet reads a pod's Secrets as soon as it sees the
   * pod bound, perhaps through another server); the answer is then a promise.
   */
  require(attrs: Attributes, onDecision?: DecisionObserver): void | Promise<void> {
    const decision = this.authorizer.authorize(attrs);
    if (decision.allowed || !decision.graphMiss) onDecision?.(decision.allowed, decision.reason);
    if (decision.allowed) return;
    if (!decision.graphMiss) throw forbiddenError(attrs, decision.reason);
    return this.requireCaughtUp(attrs, onDecision);
  }

  private async requireCaughtUp(attrs: Attributes, onDecision?: DecisionObserver): Promise<void> {
    await this.caughtUp();
    const decision = this.authorizer.authorize(attrs);
    onDecision?.(decision.allowed, decision.reason);
    if (!decision.allowed) throw forbiddenError(attrs, decision.reason);
  }

  /**
   * What a write needs beyond its verb, decided on the object it would store: RBAC's escalation checks on roles
   * and bindings, and the certificate plugins' `approve`/`sign` checks on CertificateSigningRequests.
   */
  async checkWrite(
    user: UserInfo,
    kind: { group: string; plural: string },
    obj: KubeObject,
    old: KubeObject | undefined,
    subresource?: string,
  ): Promise<void> {
    await this.writes.check(user, kind, obj, old);
    if (isCertificateSigningRequest(kind)) {
      admitCertificateSigningRequest(this.authorizer, user, obj, old, subresource);
    }
  }

  /** Loads what the authorizers decide from (RBAC objects, the node graph) and follows it. */
  async track(storage: ObjectStorage, registry: Registry, watchCache: WatchCache): Promise<Subscription[]> {
    return [
      ...(await this.rbac.track(storage, registry, watchCache)),
      ...(await this.nodeGraph.track(storage, registry, watchCache)),
    ];
  }
}
