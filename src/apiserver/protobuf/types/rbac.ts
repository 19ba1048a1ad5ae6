/** rbac.authorization.k8s.io/v1. */
import { declare } from '../schema.js';

declare('rbac', {
  Role: { metadata: '1 meta.ObjectMeta', rules: '2 []PolicyRule' },
  ClusterRole: {
    metadata: '1 meta.ObjectMeta',
    rules: '2 []PolicyRule',
    aggregationRule: '3 *AggregationRule',
  },
  PolicyRule: {
    verbs: '1 []string',
    apiGroups: '2 []string',
    resources: '3 []string',
    resourceNames: '4 []string',
    nonResourceURLs: '5 []string',
  },
  AggregationRule: { clusterRoleSelectors: '1 []meta.LabelSelector' },
  RoleBinding: { metadata: '1 meta.ObjectMeta', subjects: '2 []Subject', roleRef: '3 RoleRef' },
  ClusterRoleBinding: { metadata: '1 meta.ObjectMeta', subjects: '2 []Subject', roleRef: '3 RoleRef' },
  Subject: { kind: '1 string', apiGroup: '2 string', name: '3 string', namespace: '4 string' },
  RoleRef: { apiGroup: '1 string', kind: '2 string', name: '3 string' },
});
