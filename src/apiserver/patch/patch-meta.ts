/**
 * Strategic-merge metadata for built-in kinds: which lists merge and by which key, which are sets of
 * primitives, which structs use retainKeys, and which type each field holds. Facts come from the
 * `patchStrategy` / `patchMergeKey` struct tags of k8s.io/api; lists without a tag are atomic (replaced).
 * Fields not declared here are treated leniently: maps merge recursively, lists are replaced.
 */
import type { GroupVersionKind } from '../../api/meta.js';

export interface FieldMeta {
  /** Named struct held by this field (for lists: by each element). */
  type?: string;
  /** `map`: list of objects merged by `key`; `set`: list of primitives merged as a set. Absent: atomic list. */
  list?: 'map' | 'set';
  key?: string;
  /** `patchStrategy:"retainKeys"`: the struct (or each list element) honours `$retainKeys`. */
  retainKeys?: boolean;
  /**
   * Server-side apply identifies items by these keys (`+listMapKey`) when they differ from the merge key,
   * with the value a missing key field defaults to (e.g. ports: containerPort + protocol, default TCP).
   */
  applyKeys?: readonly { name: string; default?: string }[];
  /** Server-side apply owns this struct as one value (`+structType=atomic`, e.g. label selectors). */
  atomic?: boolean;
  /** The field exists in its parent's typed zero value (a non-pointer struct or a list without omitempty). */
  zero?: boolean;
}

export type StructMeta = Readonly<Record<string, FieldMeta>>;

const t = (type: string): FieldMeta => ({ type });
/** A field present in the typed zero value of its parent. */
const z = (type?: string): FieldMeta => (type ? { type, zero: true } : { zero: true });
const selector: FieldMeta = { type: 'LabelSelector', atomic: true };
const top = (spec?: string, status = 'WorkloadStatus'): StructMeta => ({
  metadata: z('ObjectMeta'),
  ...(spec ? { spec: z(spec) } : {}),
  status: z(status),
});
const byKey = (key: string, type?: string): FieldMeta =>
  type ? { list: 'map', key, type } : { list: 'map', key };
const set: FieldMeta = { list: 'set' };
const conditions = byKey('type');

const portsBy = (key: string): FieldMeta => ({
  list: 'map',
  key,
  applyKeys: [{ name: key }, { name: 'protocol', default: 'TCP' }],
});

const container: StructMeta = {
  ports: portsBy('containerPort'),
  env: byKey('name'),
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
  resources: t('ResourceRequirements'),
};

/** Struct name → fields. Object kinds are declared by their top-level struct (see KIND_ROOTS). */
export const STRUCTS: Readonly<Record<string, StructMeta>> = {
  ObjectMeta: { ownerReferences: byKey('uid'), finalizers: set },
  ResourceRequirements: {},
  LabelSelector: {},
  Container: container,
  EphemeralContainer: container,
  Volume: {},
  PodSpec: {
    volumes: { list: 'map', key: 'name', type: 'Volume', retainKeys: true },
    initContainers: byKey('name', 'Container'),
    containers: { list: 'map', key: 'name', type: 'Container', zero: true },
    ephemeralContainers: byKey('name', 'EphemeralContainer'),
    imagePullSecrets: byKey('name'),
    hostAliases: byKey('ip'),
    topologySpreadConstraints: {
      list: 'map',
      key: 'topologyKey',
      applyKeys: [{ name: 'topologyKey' }, { name: 'whenUnsatisfiable' }],
    },
    schedulingGates: byKey('name'),
    resourceClaims: { list: 'map', key: 'name', retainKeys: true },
  },
  PodStatus: {
    conditions,
    podIPs: byKey('ip'),
    hostIPs: byKey('ip'),
    resourceClaimStatuses: { list: 'map', key: 'name', retainKeys: true },
  },
  Pod: top('PodSpec', 'PodStatus'),
  PodTemplateSpec: { metadata: z('ObjectMeta'), spec: z('PodSpec') },
  PodTemplate: { metadata: z('ObjectMeta'), template: z('PodTemplateSpec') },

  DeploymentSpec: {
    selector,
    template: z('PodTemplateSpec'),
    strategy: { type: 'DeploymentStrategy', retainKeys: true, zero: true },
  },
  DeploymentStrategy: {},
  /** Status of most kinds: conditions merge by type. */
  WorkloadStatus: { conditions, loadBalancer: z() },
  Deployment: top('DeploymentSpec'),
  /** Spec shared by ReplicaSet, DaemonSet and StatefulSet (volumeClaimTemplates is atomic upstream). */
  ReplicaSetSpec: { selector, template: z('PodTemplateSpec'), updateStrategy: z() },
  ReplicaSet: top('ReplicaSetSpec'),
  DaemonSet: top('ReplicaSetSpec'),
  StatefulSet: top('ReplicaSetSpec'),
  ReplicationControllerSpec: { template: t('PodTemplateSpec') },
  ReplicationController: top('ReplicationControllerSpec'),
  JobSpec: { selector, template: z('PodTemplateSpec') },
  Job: top('JobSpec'),
  JobTemplateSpec: { metadata: z('ObjectMeta'), spec: z('JobSpec') },
  CronJobSpec: { jobTemplate: z('JobTemplateSpec') },
  CronJob: top('CronJobSpec'),

  ServiceSpec: { ports: portsBy('port') },
  Service: top('ServiceSpec'),
  // Endpoints.subsets and everything inside EndpointSubset are atomic upstream.
  Endpoints: { metadata: z('ObjectMeta') },
  NodeSpec: { podCIDRs: set },
  NodeStatus: { conditions, addresses: byKey('type'), daemonEndpoints: z(), nodeInfo: z() },
  Node: top('NodeSpec', 'NodeStatus'),
  Namespace: top('Empty'),
  ServiceAccount: { metadata: z('ObjectMeta'), secrets: byKey('name') },
  PersistentVolumeClaim: top('Empty'),
  PersistentVolume: top('Empty'),
  HorizontalPodAutoscaler: top('Empty'),
  PodDisruptionBudget: top('Empty'),
  CustomResourceDefinition: top('Empty'),
  APIService: top('Empty'),
  /** Validating and mutating webhook configurations: webhooks and their match conditions merge by name. */
  WebhookConfiguration: { metadata: z('ObjectMeta'), webhooks: byKey('name', 'Webhook') },
  Webhook: { matchConditions: byKey('name'), namespaceSelector: selector, objectSelector: selector },
  /**
   * Validating admission policies: match conditions and variables merge by name; validations, audit
   * annotations, rules and status.conditions (no patch tags) are atomic lists. paramKind, matchConstraints,
   * paramRef and matchResources are atomic structs for server-side apply.
   */
  ValidatingAdmissionPolicy: {
    metadata: z('ObjectMeta'),
    spec: z('ValidatingAdmissionPolicySpec'),
    status: z(),
  },
  ValidatingAdmissionPolicySpec: {
    matchConditions: byKey('name'),
    variables: byKey('name'),
    paramKind: { atomic: true },
    matchConstraints: { atomic: true },
  },
  ValidatingAdmissionPolicyBinding: {
    metadata: z('ObjectMeta'),
    spec: z('ValidatingAdmissionPolicyBindingSpec'),
  },
  ValidatingAdmissionPolicyBindingSpec: { paramRef: { atomic: true }, matchResources: { atomic: true } },
  CSINodeSpec: { drivers: byKey('name') },
  CSINode: top('CSINodeSpec'),
  Empty: {},
  /** Kinds with only metadata-level merge semantics (their lists are atomic: rules, subjects, tls, …). */
  Plain: { metadata: z('ObjectMeta'), spec: z(), status: z() },
};

/** `group/Kind` → top-level struct. Only these kinds accept strategic merge patch. */
export const KIND_ROOTS: Readonly<Record<string, string>> = {
  '/Pod': 'Pod',
  '/PodTemplate': 'PodTemplate',
  '/ReplicationController': 'ReplicationController',
  '/Service': 'Service',
  '/Endpoints': 'Endpoints',
  '/Node': 'Node',
  '/Namespace': 'Namespace',
  '/ServiceAccount': 'ServiceAccount',
  '/PersistentVolumeClaim': 'PersistentVolumeClaim',
  '/PersistentVolume': 'PersistentVolume',
  '/ConfigMap': 'Plain',
  '/Secret': 'Plain',
  '/Event': 'Plain',
  '/LimitRange': 'Plain',
  '/ResourceQuota': 'Plain',
  'apps/Deployment': 'Deployment',
  'apps/ReplicaSet': 'ReplicaSet',
  'apps/DaemonSet': 'DaemonSet',
  'apps/StatefulSet': 'StatefulSet',
  'apps/ControllerRevision': 'Plain',
  'batch/Job': 'Job',
  'batch/CronJob': 'CronJob',
  'autoscaling/HorizontalPodAutoscaler': 'HorizontalPodAutoscaler',
  'autoscaling/Scale': 'Plain',
  'policy/PodDisruptionBudget': 'PodDisruptionBudget',
  'policy/Eviction': 'Plain',
  'networking.k8s.io/Ingress': 'Plain',
  'networking.k8s.io/IngressClass': 'Plain',
  'networking.k8s.io/NetworkPolicy': 'Plain',
  'discovery.k8s.io/EndpointSlice': 'Plain',
  'rbac.authorization.k8s.io/Role': 'Plain',
  'rbac.authorization.k8s.io/ClusterRole': 'Plain',
  'rbac.authorization.k8s.io/RoleBinding': 'Plain',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'Plain',
  'coordination.k8s.io/Lease': 'Plain',
  'scheduling.k8s.io/PriorityClass': 'Plain',
  'storage.k8s.io/StorageClass': 'Plain',
  'events.k8s.io/Event': 'Plain',
  '/Binding': 'Plain',
  '/ComponentStatus': 'Plain',
  'apiextensions.k8s.io/CustomResourceDefinition': 'CustomResourceDefinition',
  'apiregistration.k8s.io/APIService': 'APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': 'WebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': 'WebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': 'ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': 'ValidatingAdmissionPolicyBinding',
  // status.conditions has no patch tags here (atomic for strategic merge).
  'certificates.k8s.io/CertificateSigningRequest': 'Plain',
  'node.k8s.io/RuntimeClass': 'Plain',
  'storage.k8s.io/CSIDriver': 'Plain',
  'storage.k8s.io/CSINode': 'CSINode',
  'storage.k8s.io/VolumeAttachment': 'Plain',
  'storage.k8s.io/CSIStorageCapacity': 'Plain',
  'flowcontrol.apiserver.k8s.io/FlowSchema': 'Plain',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration': 'Plain',
  'networking.k8s.io/IPAddress': 'Plain',
  'networking.k8s.io/ServiceCIDR': 'Plain',
};

/**
 * Merge metadata of custom resources, from their CRDs' schemas (`x-kubernetes-list-type` and
 * `-map-type`): struct names are prefixed with the kind so they never meet the built-in ones.
 */
const customStructs = new Map<string, StructMeta>();
const customRoots = new Map<string, string>();

/** Replaces (or, with no structs, removes) the merge metadata of a custom kind. */
export function setCustomMergeMeta(
  groupKind: { group: string; kind: string },
  structs: ReadonlyMap<string, StructMeta> | undefined,
  root?: string,
): void {
  const key = `${groupKind.group}/${groupKind.kind}`;
  const prefix = `${key}:`;
  for (const name of [...customStructs.keys()]) if (name.startsWith(prefix)) customStructs.delete(name);
  customRoots.delete(key);
  if (!structs || !root) return;
  for (const [name, meta] of structs) customStructs.set(name, meta);
  customRoots.set(key, root);
}

/** A kind with compiled-in merge metadata (these accept strategic merge patch). */
export function isBuiltinKind(gvk: Pick<GroupVersionKind, 'group' | 'kind'>): boolean {
  return `${gvk.group}/${gvk.kind}` in KIND_ROOTS;
}

/** The top-level struct for a kind, or undefined for kinds without merge metadata. */
export function rootTypeFor(gvk: Pick<GroupVersionKind, 'group' | 'kind'>): string | undefined {
  const key = `${gvk.group}/${gvk.kind}`;
  return KIND_ROOTS[key] ?? customRoots.get(key);
}

/** Keys identifying an item of a keyed list for server-side apply (undefined when the item lacks one). */
export function applyKeyOf(
  meta: FieldMeta,
  item: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const keys = meta.applyKeys ?? (meta.key ? [{ name: meta.key }] : []);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const value = item[k.name] ?? k.default;
    if (value === undefined || value === null) return undefined;
    out[k.name] = value;
  }
  return keys.length > 0 ? out : undefined;
}

export function fieldMeta(typeName: string | undefined, field: string): FieldMeta | undefined {
  if (typeName === undefined) return undefined;
  return (STRUCTS[typeName] ?? customStructs.get(typeName))?.[field];
}
