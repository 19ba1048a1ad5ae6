/**
 * The user-facing roles admin, edit and view, which aggregate the rules of the roles labelled for them, and the
 * default sources of those rules (upstream bootstrappolicy/policy.go, v1.32). The clusterrole-aggregation
 * controller fills the aggregated roles.
 */
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { clusterRole as role, READ, READ_WRITE, rule, WRITE } from './policy-rule.js';

export const AGGREGATE_TO_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
export const AGGREGATE_TO_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
export const AGGREGATE_TO_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

const COORDINATION = 'coordination.k8s.io';
const NETWORKING = 'networking.k8s.io';

/** An aggregated role: its rules are filled by the clusterrole-aggregation controller. */
function aggregated(name: string, selectLabel: string, labels?: Record<string, string>): ClusterRole {
  return {
    metadata: { name, ...(labels ? { labels } : {}) },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [selectLabel]: 'true' } }] },
  };
}

/** Edit's rules beyond view's: the escalating reads, impersonation and the writes of user workloads. */
function aggregateToEditRules(): PolicyRule[] {
  const podParts = ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward'];
  return [
    rule(READ, [''], [...podParts, 'secrets', 'services/proxy']),
    rule(['impersonate'], [''], ['serviceaccounts']),
    rule(WRITE, [''], ['pods', ...podParts]),
    rule(['create'], [''], ['pods/eviction']),
    rule(
      WRITE,
      [''],
      [
        'replicationcontrollers',
        'replicationcontrollers/scale',
        'serviceaccounts',
        'services',
        'services/proxy',
        'persistentvolumeclaims',
        'configmaps',
        'secrets',
        'events',
      ],
    ),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(
      WRITE,
      ['apps'],
      [
        'statefulsets',
        'statefulsets/scale',
        'daemonsets',
        'deployments',
        'deployments/scale',
        'deployments/rollback',
        'replicasets',
        'replicasets/scale',
      ],
    ),
    rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
    rule(WRITE, ['batch'], ['jobs', 'cronjobs']),
    rule(
      WRITE,
      ['extensions'],
      [
        'daemonsets',
        'deployments',
        'deployments/scale',
        'deployments/rollback',
        'ingresses',
        'replicasets',
        'replicasets/scale',
        'replicationcontrollers/scale',
        'networkpolicies',
      ],
    ),
    rule(WRITE, ['policy'], ['poddisruptionbudgets']),
    rule(WRITE, [NETWORKING], ['networkpolicies', 'ingresses']),
    rule(READ_WRITE, [COORDINATION], ['leases']),
  ];
}

/** Read access to everything in a namespace that grants no further power (no secrets, no exec). */
function aggregateToViewRules(): PolicyRule[] {
  return [
    rule(
      READ,
      [''],
      [
        'pods',
        'replicationcontrollers',
        'replicationcontrollers/scale',
        'serviceaccounts',
        'services',
        'services/status',
        'endpoints',
        'persistentvolumeclaims',
        'persistentvolumeclaims/status',
        'configmaps',
      ],
    ),
    rule(
      READ,
      [''],
      [
        'limitranges',
        'resourcequotas',
        'bindings',
        'events',
        'pods/status',
        'resourcequotas/status',
        'namespaces/status',
        'replicationcontrollers/status',
        'pods/log',
      ],
    ),
    // Reading namespaces at namespace scope means reading this namespace: a hint of which ones a user can use.
    rule(READ, [''], ['namespaces']),
    rule(READ, ['discovery.k8s.io'], ['endpointslices']),
    rule(
      READ,
      ['apps'],
      [
        'controllerrevisions',
        'statefulsets',
        'statefulsets/status',
        'statefulsets/scale',
        'daemonsets',
        'daemonsets/status',
        'deployments',
        'deployments/status',
        'deployments/scale',
        'replicasets',
        'replicasets/status',
        'replicasets/scale',
      ],
    ),
    rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
    rule(READ, ['batch'], ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status']),
    rule(
      READ,
      ['extensions'],
      [
        'daemonsets',
        'daemonsets/status',
        'deployments',
        'deployments/scale',
        'deployments/status',
        'ingresses',
        'ingresses/status',
        'replicasets',
        'replicasets/scale',
        'replicasets/status',
        'replicationcontrollers/scale',
        'networkpolicies',
      ],
    ),
    rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
    rule(READ, [NETWORKING], ['ingresses', 'ingresses/status', 'networkpolicies']),
  ];
}

/**
 * metrics-server's `system:aggregated-metrics-reader`: Tugboat serves metrics.k8s.io itself, so the role that
 * lets view/edit/admin read pod and node metrics comes with the server rather than with a metrics-server install.
 */
function aggregatedMetricsReader(): ClusterRole {
  return role('system:aggregated-metrics-reader', [rule(READ, ['metrics.k8s.io'], ['pods', 'nodes'])], {
    [AGGREGATE_TO_VIEW]: 'true',
    [AGGREGATE_TO_EDIT]: 'true',
    [AGGREGATE_TO_ADMIN]: 'true',
  });
}

/** admin ⊇ edit ⊇ view: edit carries admin's label and view edit's, so each aggregates the one below. */
export function aggregationRoles(): ClusterRole[] {
  return [
    aggregated('admin', AGGREGATE_TO_ADMIN),
    aggregated('edit', AGGREGATE_TO_EDIT, { [AGGREGATE_TO_ADMIN]: 'true' }),
    aggregated('view', AGGREGATE_TO_VIEW, { [AGGREGATE_TO_EDIT]: 'true' }),
    role(
      'system:aggregate-to-admin',
      [
        rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
        rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['roles', 'rolebindings']),
      ],
      { [AGGREGATE_TO_ADMIN]: 'true' },
    ),
    role('system:aggregate-to-edit', aggregateToEditRules(), { [AGGREGATE_TO_EDIT]: 'true' }),
    role('system:aggregate-to-view', aggregateToViewRules(), { [AGGREGATE_TO_VIEW]: 'true' }),
    aggregatedMetricsReader(),
  ];
}
