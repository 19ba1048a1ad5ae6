/**
 * RBAC's escalation prevention (upstream's policy-based role and binding storage): a user may write a role
 * only with rules they already hold (or the `escalate` verb on it), and bind a role only when they hold its
 * rules (or the `bind` verb on it). Members of system:masters may do both.
 */
import { forbidden, isApiError, notFound } from '../../api/errors.js';
import { deepEqual, type KubeObject } from '../../api/meta.js';
import type { UserInfo } from '../config.js';
import { aggregate, PRIVILEGED_GROUP, type Authorizer } from './authorizer.js';
import { bindingOf, rulesOf } from './rbac-index.js';
import { compactRules, compactString, goQuotedList, uncoveredRules } from './rules.js';
import { RBAC_GROUP, type Attributes, type PolicyRule } from './types.js';

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const hasAggregationRule = (o: KubeObject | undefined): boolean => {
  const selectors = (o?.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined)
    ?.clusterRoleSelectors;
  return Array.isArray(selectors) && selectors.length > 0;
};

/** True when only what the garbage collector changes (owners, finalizers) differs from the stored object. */
function onlyGarbageCollectionFields(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject): KubeObject => {
    const {
      ownerReferences: _o,
      finalizers: _f,
      managedFields: _m,
      resourceVersion: _r,
      ...meta
    } = o.metadata ?? {};
    return { ...o, metadata: meta };
  };
  return deepEqual(strip(obj), strip(old));
}

export class RbacWriteGuard {
  /**
   * @param caughtUp resolves once the authorizer's roles and bindings include every write acknowledged so far:
   * upstream reads them from storage here, so a role created a moment ago can be bound at once.
   */
  constructor(
    private readonly authorizer: Authorizer,
    private readonly caughtUp: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Rejects with 403 (or 404 for a binding's missing role) when the write would grant more than the user holds. */
  async check(
    user: UserInfo,
    kind: { group: string; plural: string },
    obj: KubeObject,
    old: KubeObject | undefined,
  ): Promise<void> {
    if (kind.group !== RBAC_GROUP || user.groups.includes(PRIVILEGED_GROUP)) return;
    if (old && onlyGarbageCollectionFields(obj, old)) return;
    try {
      this.checkNow(user, kind.plural, obj, old);
    } catch (err) {
      if (!isApiError(err)) throw err;
      // Refused on what the index holds: look again once it has every acknowledged write.
      await this.caughtUp();
      this.checkNow(user, kind.plural, obj, old);
    }
  }

  private checkNow(user: UserInfo, plural: string, obj: KubeObject, old: KubeObject | undefined): void {
    const name = obj.metadata?.name ?? '';
    const namespace = obj.metadata?.namespace ?? '';
    switch (plural) {
      case 'roles':
      case 'clusterroles': {
        // The request's name: none for a create, as upstream (an escalate rule naming roles covers updates).
        if (this.allowed(user, 'escalate', plural, old ? name : '', namespace)) return;
        this.confirmNoEscalation(user, namespace, rulesOf(obj), plural, name);
        if (plural === 'clusterroles' && (hasAggregationRule(obj) || hasAggregationRule(old))) {
          const { rules } = this.authorizer.rulesFor(user, namespace);
          if (uncoveredRules(rules, FULL_AUTHORITY).length > 0)
            throw forbidden(
              { group: RBAC_GROUP, resource: plural },
              name,
              'must have cluster-admin privileges to use the aggregationRule',
            );
        }
        return;
      }
      case 'rolebindings':
      case 'clusterrolebindings': {
        const ref = bindingOf(obj, 'RoleBinding').roleRef;
        const refPlural = ref.kind === 'Role' ? 'roles' : 'clusterroles';
        if (ref.apiGroup === RBAC_GROUP && this.allowed(user, 'bind', refPlural, ref.name, namespace)) return;
        const rules = this.authorizer.roleRefRules(ref, namespace);
        if (typeof rules === 'string') throw notFound({ group: RBAC_GROUP, resource: refPlural }, ref.name);
        this.confirmNoEscalation(user, namespace, rules, plural, name);
        return;
      }
    }
  }

  private allowed(user: UserInfo, verb: string, resource: string, name: string, namespace: string): boolean {
    const attrs: Attributes = {
      user,
      verb,
      resourceRequest: true,
      path: '',
      apiGroup: RBAC_GROUP,
      apiVersion: '',
      resource,
      subresource: '',
      namespace,
      name,
    };
    return this.authorizer.authorize(attrs).allowed;
  }

  private confirmNoEscalation(
    user: UserInfo,
    namespace: string,
    wanted: PolicyRule[],
    plural: string,
    name: string,
  ): void {
    const held = this.authorizer.rulesFor(user, namespace);
    const missing = uncoveredRules(held.rules, wanted);
    if (missing.length === 0) return;
    const described = [...new Set(compactRules(missing).map(compactString))].sort();
    let why =
      `user ${JSON.stringify(user.username)} (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC ` +
      `permissions not currently held:\n${described.join('\n')}`;
    if (held.errors.length > 0) why += `; resolution errors: [${aggregate(held.errors)}]`;
    throw forbidden({ group: RBAC_GROUP, resource: plural }, name, why);
  }
}
