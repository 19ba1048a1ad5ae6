import type { TableConvertor } from '../types.js';
import {
  validatingAdmissionPolicyBindingTable,
  validatingAdmissionPolicyTable,
  webhookConfigurationTable,
} from './admissionregistration.js';
import {
  controllerRevisionTable,
  daemonSetTable,
  deploymentTable,
  replicaSetTable,
  statefulSetTable,
} from './apps.js';
import { horizontalPodAutoscalerTable } from './autoscaling.js';
import { cronJobTable, jobTable } from './batch.js';
import {
  configMapTable,
  limitRangeTable,
  namespaceTable,
  podTemplateTable,
  replicationControllerTable,
  resourceQuotaTable,
  secretTable,
  serviceAccountTable,
} from './core.js';
import { eventTable } from './events.js';
import {
  certificateSigningRequestTable,
  leaseTable,
  podDisruptionBudgetTable,
  priorityClassTable,
  runtimeClassTable,
} from './misc.js';
import { endpointSliceTable, ingressClassTable, ingressTable, networkPolicyTable } from './networking.js';
import { nodeTable } from './nodes.js';
import { podTable } from './pods.js';
import { clusterRoleBindingTable, roleBindingTable, roleTable } from './rbac.js';
import { endpointsTable, serviceTable } from './services.js';
import { persistentVolumeClaimTable, persistentVolumeTable, storageClassTable } from './storage.js';
import { createdAtColumn, nameColumn } from './format.js';

export { buildTable, columnDefinitions, rowObject } from './build.js';
export type { IncludeObject, Table, TableColumnDefinition, TableOptions, TableRow } from './build.js';
export { formatHPAMetrics } from './autoscaling.js';
export { humanDuration, formatLabels, formatLabelSelector, selectorString } from './format.js';
export { summarizePod } from './pods.js';

/** Name + Created At (a `date` column kubectl renders as an age): for CRDs and kinds without printers. */
export const defaultTable: TableConvertor = {
  columns: [nameColumn, createdAtColumn],
  cells: (obj) => [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? null],
};

/** Keyed by qualified resource: bare plural for the core group, `plural.group` otherwise. */
export const tableConvertors: Record<string, TableConvertor> = {
  pods: podTable,
  podtemplates: podTemplateTable,
  nodes: nodeTable,
  namespaces: namespaceTable,
  services: serviceTable,
  endpoints: endpointsTable,
  configmaps: configMapTable,
  secrets: secretTable,
  serviceaccounts: serviceAccountTable,
  events: eventTable,
  'events.events.k8s.io': eventTable,
  limitranges: limitRangeTable,
  resourcequotas: resourceQuotaTable,
  persistentvolumes: persistentVolumeTable,
  persistentvolumeclaims: persistentVolumeClaimTable,
  replicationcontrollers: replicationControllerTable,
  'deployments.apps': deploymentTable,
  'replicasets.apps': replicaSetTable,
  'statefulsets.apps': statefulSetTable,
  'daemonsets.apps': daemonSetTable,
  'controllerrevisions.apps': controllerRevisionTable,
  'jobs.batch': jobTable,
  'cronjobs.batch': cronJobTable,
  'horizontalpodautoscalers.autoscaling': horizontalPodAutoscalerTable,
  'leases.coordination.k8s.io': leaseTable,
  'endpointslices.discovery.k8s.io': endpointSliceTable,
  'ingresses.networking.k8s.io': ingressTable,
  'ingressclasses.networking.k8s.io': ingressClassTable,
  'networkpolicies.networking.k8s.io': networkPolicyTable,
  'roles.rbac.authorization.k8s.io': roleTable,
  'clusterroles.rbac.authorization.k8s.io': roleTable,
  'rolebindings.rbac.authorization.k8s.io': roleBindingTable,
  'clusterrolebindings.rbac.authorization.k8s.io': clusterRoleBindingTable,
  'storageclasses.storage.k8s.io': storageClassTable,
  'certificatesigningrequests.certificates.k8s.io': certificateSigningRequestTable,
  'poddisruptionbudgets.policy': podDisruptionBudgetTable,
  'priorityclasses.scheduling.k8s.io': priorityClassTable,
  'runtimeclasses.node.k8s.io': runtimeClassTable,
  'mutatingwebhookconfigurations.admissionregistration.k8s.io': webhookConfigurationTable,
  'validatingwebhookconfigurations.admissionregistration.k8s.io': webhookConfigurationTable,
  'validatingadmissionpolicies.admissionregistration.k8s.io': validatingAdmissionPolicyTable,
  'validatingadmissionpolicybindings.admissionregistration.k8s.io': validatingAdmissionPolicyBindingTable,
};

/** The convertor for a qualified resource (`deployments.apps`, `pods`), or the default one. */
export function tableFor(resource: string): TableConvertor {
  return tableConvertors[resource] ?? defaultTable;
}
