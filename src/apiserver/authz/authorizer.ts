/**
 * The authorizer chain upstream's kube-apiserver runs with `--authorization-mode=Node,RBAC`: members of
 * `system:masters` may do anything (the privileged-group authorizer), then the Node authorizer may allow a node
 * agent's request, then RBAC decides.
 */
import type { UserInfo } from '../config.js';
import type { NodeAuthorizer } from './node-authorizer.js';
import type { Binding, RbacIndex } from './rbac-index.js';
import { ruleAllows, subjectMatches } from './rules.js';
import type { Attributes, Decision, PolicyRule, Subject } from './types.js';

export const PRIVILEGED_GROUP = 'system:masters';

/** `User "bob"`, `ServiceAccount "builder/ci"` (name/namespace), as upstream describes binding subjects. */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

function describeBinding(b: Binding, subject: Subject): string {
  const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} "${name}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(subject, b.namespace)}`;
}

/** Upstream's aggregate of errors: duplicates dropped, the only one alone, several in brackets. */
export function aggregate(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

/** Why everyone outside system:masters is refused once the roles and bindings can no longer be followed. */
const STALE_REASON =
  'RBAC: the roles and bindings could not be followed (the store watch ended); restart the server';

/** Visits a rule with a description of where it came from; returning false stops the walk. */
type RuleVisitor = (rule: PolicyRule, source: () => string) => boolean;

export class Authorizer {
  constructor(
    readonly rbac: RbacIndex,
    readonly node?: NodeAuthorizer,
  ) {}

  authorize(attrs: Attributes): Decision {
    if (attrs.user.groups.includes(PRIVILEGED_GROUP)) return { allowed: true, reason: '' };
    const node = this.node?.authorize(attrs);
    if (node?.allowed) return { allowed: true, reason: '' };
    const rbac = this.authorizeRbac(attrs);
    if (rbac.allowed || !node?.reason) return rbac;
    // Upstream's union authorizer: the reasons of the authorizers that had no opinion, one per line.
    const denied: Decision = {
      ...rbac,
      reason: rbac.reason ? `${node.reason}\n${rbac.reason}` : node.reason,
    };
    if (node.graphMiss) denied.graphMiss = true;
    return denied;
  }

  private authorizeRbac(attrs: Attributes): Decision {
    // Fail closed: a revoked binding must not keep granting because its deletion was never seen.
    if (this.rbac.stale) return { allowed: false, reason: STALE_REASON, evaluationError: STALE_REASON };
    let allowedBy: string | undefined;
    const errors = this.visitRules(attrs.user, attrs.namespace, (rule, source) => {
      if (!ruleAllows(attrs, rule)) return true;
      allowedBy = source();
      return false;
    });
    if (allowedBy !== undefined) return { allowed: true, reason: `RBAC: allowed by ${allowedBy}` };
    if (errors.length === 0) return { allowed: false, reason: '' };
    const evaluationError = aggregate(errors);
    return { allowed: false, reason: `RBAC: ${evaluationError}`, evaluationError };
  }

  /** Every rule that applies to the user in the namespace (cluster-wide rules only for ''), and what failed. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors = this.visitRules(user, namespace, (rule) => {
      rules.push(rule);
      return true;
    });
    return { rules, errors };
  }

  /** The rules a binding's roleRef names, or why they cannot be read (upstream's GetRoleReferenceRules). */
  roleRefRules(ref: { kind: string; name: string }, bindingNamespace: string): PolicyRule[] | string {
    if (ref.kind === 'ClusterRole') {
      return (
        this.rbac.clusterRoleRules(ref.name) ??
        `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found`
      );
    }
    if (ref.kind === 'Role') {
      return (
        this.rbac.roleRules(bindingNamespace, ref.name) ??
        `role.rbac.authorization.k8s.io "${ref.name}" not found`
      );
    }
    return `unsupported role reference kind: "${ref.kind}"`;
  }

  /** ClusterRoleBindings first, then the namespace's RoleBindings, as upstream's VisitRulesFor. */
  private visitRules(user: UserInfo, namespace: string, visit: RuleVisitor): string[] {
    const errors: string[] = [];
    const walk = (bindings: Iterable<Binding>, bindingNamespace: string): boolean => {
      for (const b of bindings) {
        const subject = b.subjects.find((s) => subjectMatches(user, s, bindingNamespace));
        if (!subject) continue;
        const rules = this.roleRefRules(b.roleRef, bindingNamespace);
        if (typeof rules === 'string') {
          errors.push(rules);
          continue;
        }
        for (const rule of rules) if (!visit(rule, () => describeBinding(b, subject))) return false;
      }
      return true;
    };
    if (walk(this.rbac.clusterRoleBindings(), '') && namespace)
      walk(this.rbac.roleBindings(namespace), namespace);
    return errors;
  }
}
