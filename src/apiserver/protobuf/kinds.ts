/** Which apiVersion/kind pairs have declared messages, and where. */
import { hasType } from './schema.js';
import './types/index.js';

/** apiVersion → the namespace holding that group-version's messages, and the kinds that are top-level objects. */
const KINDS: Record<string, { ns: string; kinds: string[] }> = {
  v1: {
    ns: 'core',
    kinds: [
      'Namespace',
      'Secret',
      'ConfigMap',
      'Service',
      'ServiceAccount',
      'ResourceQuota',
      'LimitRange',
      'Pod',
      'PodTemplate',
      'Endpoints',
      'Event',
      'Node',
      'PersistentVolumeClaim',
      'ReplicationController',
      'Binding',
    ],
  },
  'apps/v1': {
    ns: 'apps',
    kinds: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'],
  },
  'batch/v1': { ns: 'batch', kinds: ['Job', 'CronJob'] },
  'autoscaling/v1': { ns: 'autoscaling', kinds: ['HorizontalPodAutoscaler', 'Scale'] },
  'autoscaling/v2': { ns: 'autoscalingv2', kinds: ['HorizontalPodAutoscaler'] },
  'policy/v1': { ns: 'policy', kinds: ['PodDisruptionBudget', 'Eviction'] },
  'rbac.authorization.k8s.io/v1': {
    ns: 'rbac',
    kinds: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  },
  'networking.k8s.io/v1': { ns: 'networking', kinds: ['Ingress', 'IngressClass', 'NetworkPolicy'] },
  'scheduling.k8s.io/v1': { ns: 'scheduling', kinds: ['PriorityClass'] },
  'node.k8s.io/v1': { ns: 'node', kinds: ['RuntimeClass'] },
  'coordination.k8s.io/v1': { ns: 'coordination', kinds: ['Lease'] },
  'discovery.k8s.io/v1': { ns: 'discovery', kinds: ['EndpointSlice'] },
  'storage.k8s.io/v1': { ns: 'storage', kinds: ['StorageClass'] },
  'certificates.k8s.io/v1': { ns: 'certificates', kinds: ['CertificateSigningRequest'] },
  'authorization.k8s.io/v1': {
    ns: 'authorization',
    kinds: [
      'SelfSubjectAccessReview',
      'SelfSubjectRulesReview',
      'SubjectAccessReview',
      'LocalSubjectAccessReview',
    ],
  },
  'authentication.k8s.io/v1': {
    ns: 'authentication',
    kinds: ['SelfSubjectReview', 'TokenReview', 'TokenRequest'],
  },
};

/** The message type for apiVersion+kind, or undefined when this server cannot decode it. */
export function messageTypeFor(apiVersion: string, kind: string): string | undefined {
  const gv = KINDS[apiVersion];
  // meta/v1 option types are registered in every group-version; Go clients send DELETE bodies this way
  if (kind === 'DeleteOptions' && (gv || apiVersion === 'meta.k8s.io/v1')) return 'meta.DeleteOptions';
  if (!gv || !gv.kinds.includes(kind)) return undefined;
  const name = `${gv.ns}.${kind}`;
  return hasType(name) ? name : undefined;
}

/** Every apiVersion/kind pair decodeProtobufObject accepts (DeleteOptions is also accepted under each of them). */
export function supportedKinds(): { apiVersion: string; kind: string }[] {
  return Object.entries(KINDS).flatMap(([apiVersion, gv]) => gv.kinds.map((kind) => ({ apiVersion, kind })));
}
