/**
 * Upstream's Node authorizer (plugin/pkg/auth/authorizer/node): what a node agent (`system:node:<name>` in
 * `system:nodes`) may do. Secrets, ConfigMaps, PersistentVolumeClaims, PersistentVolumes and service account
 * tokens only when a pod bound to the node refers to them (the graph); leases only the node's own; anything
 * else by the kubelet's rules (the system:node ClusterRole). It never denies: without its allowance RBAC is
 * asked, so an administrator can still grant a node more by binding roles to it.
 *
 * As upstream with the AuthorizeNodeWithSelectors gate off: nodes and pods are allowed by the static rules
 * (Tugboat's network policy agent, running as the node, follows every pod), NodeRestriction narrows writes.
 */
import { nodeRules } from './bootstrap-cluster-roles.js';
import { NODE_LEASE_NAMESPACE, nodeIdentity } from './node-identity.js';
import type { NodeGraph, ReferredKind } from './node-graph.js';
import { ruleAllows } from './rules.js';
import type { Attributes, PolicyRule } from './types.js';

/** Allowed, or no opinion with why (upstream's reason strings). */
export interface NodeDecision {
  allowed: boolean;
  reason: string;
  /** No opinion because the graph holds no relationship: it may once the watch cache catches up. */
  graphMiss?: boolean;
}

const NO_OPINION: NodeDecision = { allowed: false, reason: '' };
const ALLOW: NodeDecision = { allowed: true, reason: '' };
const noOpinion = (reason: string): NodeDecision => ({ allowed: false, reason });

/** Why graph checks fail closed once pods can no longer be followed. */
export const GRAPH_STALE_REASON =
  'Node authorizer: pods could not be followed (the store watch ended); restart the server';

/**
 * What Tugboat's node agent needs beyond a kubelet's rules, because it runs its service proxy, cluster DNS,
 * NetworkPolicy agent and local-path volume cleanup as the node (upstream runs those as other identities:
 * kube-proxy as system:kube-proxy, CoreDNS and the provisioner as service accounts):
 * - the service proxy: Services (a kubelet rule) and EndpointSlices;
 * - the cluster DNS: Namespaces, Services and EndpointSlices (Endpoints too, as system:kube-dns may);
 * - the NetworkPolicy agent: Pods (a kubelet rule), Namespaces and NetworkPolicies;
 * - the local-path cleaner: follows PersistentVolumes and deletes the released local-path volumes of the node
 *   (NodeRestriction refuses the deletion of any other).
 */
export function agentExtraRules(): PolicyRule[] {
  return [
    { verbs: ['list', 'watch'], apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'] },
    { verbs: ['list', 'watch'], apiGroups: [''], resources: ['namespaces', 'endpoints'] },
    { verbs: ['list', 'watch'], apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'] },
    { verbs: ['list', 'watch', 'delete'], apiGroups: [''], resources: ['persistentvolumes'] },
  ];
}

const noRelationship = (nodeName: string): string =>
  `no relationship found between node '${nodeName}' and this object`;

const groupResource = (attrs: Attributes): string => `${attrs.apiGroup}/${attrs.resource}`;

export class NodeAuthorizer {
  private readonly rules: PolicyRule[];
  private readonly extraRules: PolicyRule[];

  constructor(
    readonly graph: NodeGraph,
    rules: PolicyRule[] = nodeRules(),
    extraRules: PolicyRule[] = agentExtraRules(),
  ) {
    this.rules = rules;
    this.extraRules = extraRules;
  }

  authorize(attrs: Attributes): NodeDecision {
    const nodeName = nodeIdentity(attrs.user);
    if (nodeName === undefined) return NO_OPINION;
    if (!nodeName) return noOpinion(`unknown node for user ${JSON.stringify(attrs.user.username)}`);
    if (attrs.resourceRequest) {
      switch (groupResource(attrs)) {
        case '/secrets':
          return this.readNamespacedObject(nodeName, 'secret', attrs);
        case '/configmaps':
          return this.readNamespacedObject(nodeName, 'configmap', attrs);
        case '/persistentvolumeclaims':
          if (attrs.subresource === 'status') return this.statusUpdate(nodeName, attrs);
          return this.get(nodeName, attrs, () => this.reaches(nodeName, 'pvc', attrs));
        case '/persistentvolumes':
          if (!attrs.subresource && this.extraRules.some((r) => ruleAllows(attrs, r))) return ALLOW;
          return this.get(nodeName, attrs, () => this.reachesVolume(nodeName, attrs));
        case 'storage.k8s.io/volumeattachments':
          // Not served by Tugboat: no attachment is related to any node.
          return this.get(nodeName, attrs, () =>
            attrs.name ? noOpinion(noRelationship(nodeName)) : noOpinion('No Object name found'),
          );
        case '/serviceaccounts':
          return this.createToken(nodeName, attrs);
        case 'coordination.k8s.io/leases':
          return this.lease(nodeName, attrs);
        case 'storage.k8s.io/csinodes':
          return this.csiNode(nodeName, attrs);
      }
    }
    if (this.rules.some((r) => ruleAllows(attrs, r))) return ALLOW;
    if (this.extraRules.some((r) => ruleAllows(attrs, r))) return ALLOW;
    return NO_OPINION;
  }

  /** get, and list/watch narrowed to one object by name, of an object the node's pods refer to. */
  private readNamespacedObject(nodeName: string, kind: ReferredKind, attrs: Attributes): NodeDecision {
    if (!['get', 'list', 'watch'].includes(attrs.verb))
      return noOpinion('can only read resources of this type');
    if (attrs.subresource) return noOpinion('cannot read subresource');
    if (!attrs.namespace) return noOpinion('can only read namespaced object of this type');
    return this.reaches(nodeName, kind, attrs);
  }

  /** update/patch of the status of a claim the node's pods use. */
  private statusUpdate(nodeName: string, attrs: Attributes): NodeDecision {
    if (attrs.verb !== 'update' && attrs.verb !== 'patch')
      return noOpinion('can only get/update/patch this type');
    return this.reaches(nodeName, 'pvc', attrs);
  }

  private get(nodeName: string, attrs: Attributes, check: () => NodeDecision): NodeDecision {
    if (attrs.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (attrs.subresource) return noOpinion('cannot get subresource');
    return check();
  }

  private createToken(nodeName: string, attrs: Attributes): NodeDecision {
    if (attrs.verb !== 'create' || !attrs.name)
      return noOpinion('can only create tokens for individual service accounts');
    if (attrs.subresource !== 'token')
      return noOpinion('can only create token subresource of serviceaccount');
    return this.related(nodeName, this.graphReaches(nodeName, 'serviceaccount', attrs));
  }

  private lease(nodeName: string, attrs: Attributes): NodeDecision {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(attrs.verb))
      return noOpinion('can only get, create, update, patch, or delete a node lease');
    if (attrs.namespace !== NODE_LEASE_NAMESPACE)
      return noOpinion(
        `can only access leases in the ${JSON.stringify(NODE_LEASE_NAMESPACE)} system namespace`,
      );
    // A create's name is in its body: NodeRestriction checks it.
    if (attrs.verb !== 'create' && attrs.name !== nodeName)
      return noOpinion('can only access node lease with the same name as the requesting node');
    return ALLOW;
  }

  private csiNode(nodeName: string, attrs: Attributes): NodeDecision {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(attrs.verb))
      return noOpinion('can only get, create, update, patch, or delete a CSINode');
    if (attrs.subresource) return noOpinion('cannot authorize CSINode subresources');
    if (attrs.verb !== 'create' && attrs.name !== nodeName)
      return noOpinion('can only access CSINode with the same name as the requesting node');
    return ALLOW;
  }

  private reaches(nodeName: string, kind: ReferredKind, attrs: Attributes): NodeDecision {
    if (!attrs.name) return noOpinion('No Object name found');
    return this.related(nodeName, this.graphReaches(nodeName, kind, attrs));
  }

  private reachesVolume(nodeName: string, attrs: Attributes): NodeDecision {
    if (!attrs.name) return noOpinion('No Object name found');
    return this.related(nodeName, !this.graph.stale && this.graph.reachesVolume(nodeName, attrs.name));
  }

  private graphReaches(nodeName: string, kind: ReferredKind, attrs: Attributes): boolean {
    return !this.graph.stale && this.graph.reaches(nodeName, kind, attrs.namespace, attrs.name);
  }

  private related(nodeName: string, found: boolean): NodeDecision {
    if (found) return ALLOW;
    if (this.graph.stale) return noOpinion(GRAPH_STALE_REASON);
    return { allowed: false, reason: noRelationship(nodeName), graphMiss: true };
  }
}
