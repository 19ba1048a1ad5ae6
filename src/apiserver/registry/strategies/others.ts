/**
 * Strategies of the non-workload kinds, keyed `plural` (core) or `plural.group`, and the name format
 * each kind's metadata.name must follow (for validateObjectMeta's nameValidator).
 */
import {
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  validatePathSegmentName,
  type NameValidator,
} from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import {
  validatingAdmissionPolicyBindingStrategy,
  validatingAdmissionPolicyStrategy,
} from './admissionregistration-policies.js';
import {
  mutatingWebhookConfigurationStrategy,
  validatingWebhookConfigurationStrategy,
} from './admissionregistration-webhooks.js';
import { certificateSigningRequestStrategy } from './certificates-csr.js';
import { leaseStrategy } from './cluster-lease.js';
import { priorityClassStrategy } from './cluster-priorityclass.js';
import { runtimeClassStrategy } from './node-runtimeclass.js';
import { configMapStrategy } from './core-configmap.js';
import { endpointsStrategy } from './core-endpoints.js';
import { eventStrategy } from './core-event.js';
import { limitRangeStrategy } from './core-limitrange.js';
import { namespaceStrategy } from './core-namespace.js';
import { nodeStrategy } from './core-node.js';
import { persistentVolumeStrategy } from './core-persistentvolume.js';
import { persistentVolumeClaimStrategy } from './core-persistentvolumeclaim.js';
import { resourceQuotaStrategy } from './core-resourcequota.js';
import { secretStrategy } from './core-secret.js';
import { serviceStrategy } from './core-service.js';
import { serviceAccountStrategy } from './core-serviceaccount.js';
import { endpointSliceStrategy } from './networking-endpointslice.js';
import { ingressStrategy } from './networking-ingress.js';
import { ingressClassStrategy } from './networking-ingressclass.js';
import { networkPolicyStrategy } from './networking-networkpolicy.js';
import { clusterRoleBindingStrategy, roleBindingStrategy } from './rbac-bindings.js';
import { clusterRoleStrategy, roleStrategy } from './rbac-roles.js';
import { storageClassStrategy } from './storage-storageclass.js';

export const otherStrategies: Record<string, Strategy> = {
  namespaces: namespaceStrategy,
  nodes: nodeStrategy,
  services: serviceStrategy,
  endpoints: endpointsStrategy,
  configmaps: configMapStrategy,
  secrets: secretStrategy,
  events: eventStrategy,
  serviceaccounts: serviceAccountStrategy,
  persistentvolumes: persistentVolumeStrategy,
  persistentvolumeclaims: persistentVolumeClaimStrategy,
  resourcequotas: resourceQuotaStrategy,
  limitranges: limitRangeStrategy,
  'leases.coordination.k8s.io': leaseStrategy,
  'endpointslices.discovery.k8s.io': endpointSliceStrategy,
  'ingresses.networking.k8s.io': ingressStrategy,
  'ingressclasses.networking.k8s.io': ingressClassStrategy,
  'networkpolicies.networking.k8s.io': networkPolicyStrategy,
  'roles.rbac.authorization.k8s.io': roleStrategy,
  'clusterroles.rbac.authorization.k8s.io': clusterRoleStrategy,
  'rolebindings.rbac.authorization.k8s.io': roleBindingStrategy,
  'clusterrolebindings.rbac.authorization.k8s.io': clusterRoleBindingStrategy,
  'storageclasses.storage.k8s.io': storageClassStrategy,
  'priorityclasses.scheduling.k8s.io': priorityClassStrategy,
  'runtimeclasses.node.k8s.io': runtimeClassStrategy,
  'certificatesigningrequests.certificates.k8s.io': certificateSigningRequestStrategy,
  'mutatingwebhookconfigurations.admissionregistration.k8s.io': mutatingWebhookConfigurationStrategy,
  'validatingwebhookconfigurations.admissionregistration.k8s.io': validatingWebhookConfigurationStrategy,
  'validatingadmissionpolicies.admissionregistration.k8s.io': validatingAdmissionPolicyStrategy,
  'validatingadmissionpolicybindings.admissionregistration.k8s.io': validatingAdmissionPolicyBindingStrategy,
};

/** metadata.name format per kind; kinds not listed use DNS-1123 subdomain (validateObjectMeta's default). */
export const nameValidators: Record<string, NameValidator> = {
  namespaces: nameIsDNSLabel,
  services: nameIsDNS1035Label,
  nodes: nameIsDNSSubdomain,
  endpoints: nameIsDNSSubdomain,
  configmaps: nameIsDNSSubdomain,
  secrets: nameIsDNSSubdomain,
  events: nameIsDNSSubdomain,
  serviceaccounts: nameIsDNSSubdomain,
  persistentvolumes: nameIsDNSSubdomain,
  persistentvolumeclaims: nameIsDNSSubdomain,
  resourcequotas: nameIsDNSSubdomain,
  limitranges: nameIsDNSSubdomain,
  podtemplates: nameIsDNSSubdomain,
  'leases.coordination.k8s.io': nameIsDNSSubdomain,
  'endpointslices.discovery.k8s.io': nameIsDNSSubdomain,
  'ingresses.networking.k8s.io': nameIsDNSSubdomain,
  'ingressclasses.networking.k8s.io': nameIsDNSSubdomain,
  'networkpolicies.networking.k8s.io': nameIsDNSSubdomain,
  'roles.rbac.authorization.k8s.io': validatePathSegmentName,
  'clusterroles.rbac.authorization.k8s.io': validatePathSegmentName,
  'rolebindings.rbac.authorization.k8s.io': validatePathSegmentName,
  'clusterrolebindings.rbac.authorization.k8s.io': validatePathSegmentName,
  'storageclasses.storage.k8s.io': nameIsDNSSubdomain,
  'priorityclasses.scheduling.k8s.io': nameIsDNSSubdomain,
  'runtimeclasses.node.k8s.io': nameIsDNSSubdomain,
  // Upstream does not care what requests are called (ValidateCertificateRequestName).
  'certificatesigningrequests.certificates.k8s.io': validatePathSegmentName,
  'mutatingwebhookconfigurations.admissionregistration.k8s.io': nameIsDNSSubdomain,
  'validatingwebhookconfigurations.admissionregistration.k8s.io': nameIsDNSSubdomain,
  'validatingadmissionpolicies.admissionregistration.k8s.io': nameIsDNSSubdomain,
  'validatingadmissionpolicybindings.admissionregistration.k8s.io': nameIsDNSSubdomain,
};
