/**
 * Upstream's NodeRestriction admission plugin (plugin/pkg/admission/noderestriction): a node agent
 * (`system:node:<name>` in `system:nodes`) may write only its own Node (without steering workloads to itself
 * through labels or taints), its own Lease, the status of the pods bound to it, mirror pods of its own, and
 * tokens for the pods bound to it. The Node authorizer lets those requests through; this narrows them to the
 * node's own objects, which only the request body or the stored object tell.
 *
 * Beyond upstream: Tugboat's node agent deletes the released local-path volumes of its node, so a node may
 * delete a PersistentVolume only when it is such a volume (see agentExtraRules in the Node authorizer).
 */
import type { Node, NodeSelector } from 'kubernetes-types/core/v1.js';
import { forbidden, notFound, type ApiError } from '../../api/errors.js';
import { deepEqual, type KubeObject, type OwnerReference } from '../../api/meta.js';
import { nodeMatchesSelector } from '../../api/node-affinity.js';
import { LOCAL_PATH_PROVISIONER } from '../../api/storage-classes.js';
import { NODE_LEASE_NAMESPACE, nodeIdentity } from '../authz/node-identity.js';
import {
  hasClaimVolumes,
  isMirrorPod,
  MIRROR_POD_ANNOTATION,
  podReferences,
  podServiceAccount,
  referencesClusterTrustBundles,
} from '../authz/pod-references.js';
import type { UserInfo } from '../config.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** A write as NodeRestriction sees it (upstream's admission.Attributes). */
export interface NodeAdmissionRequest {
  user: UserInfo;
  operation: AdmissionOperation;
  group: string;
  /** The plural. */
  resource: string;
  subresource?: string;
  namespace?: string;
  /** From the URL, or the object's on a create. */
  name: string;
  /** The object written (a create's or an update's new object, an Eviction or a TokenRequest). */
  object?: KubeObject;
  /** The stored object an update or a delete starts from. */
  oldObject?: KubeObject;
}

/** Reads of the stored objects the checks depend on (upstream reads them from informers). */
export interface NodeRestrictionLookups {
  pod(namespace: string, name: string): Promise<KubeObject | undefined>;
  node(name: string): Promise<KubeObject | undefined>;
}

const PV_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const NODE_RESTRICTION_LABEL_NAMESPACE = 'node-restriction.kubernetes.io';

/** Labels a kubelet may set on its own Node (k8s.io/kubelet's KubeletLabels). */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
]);
/** Label namespaces a kubelet may set (and their subdomains). */
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

const q = (s: string): string => JSON.stringify(s);

const labelNamespace = (key: string): string => {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
};

const inNamespace = (namespace: string, domain: string): boolean =>
  namespace === domain || namespace.endsWith(`.${domain}`);

const isKubernetesLabel = (key: string): boolean => {
  const ns = labelNamespace(key);
  return inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
};

/** Whether a kubelet may set the label on its own Node (upstream's IsKubeletLabel). */
export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((allowed) => inNamespace(ns, allowed));
}

/** The labels of `modified` a node may not add, remove or change on its Node, sorted. */
export function forbiddenNodeLabels(modified: Iterable<string>): string[] {
  const out: string[] = [];
  for (const key of modified) {
    if (inNamespace(labelNamespace(key), NODE_RESTRICTION_LABEL_NAMESPACE)) out.push(key);
    else if (isKubernetesLabel(key) && !isKubeletLabel(key)) out.push(key);
  }
  return out.sort();
}

/** Keys whose values differ between two label maps (added, removed or changed). */
function modifiedLabels(a: Record<string, string> = {}, b: Record<string, string> = {}): Set<string> {
  const keys = new Set<string>();
  for (const [k, v] of Object.entries(a)) if (b[k] !== v || !Object.hasOwn(b, k)) keys.add(k);
  for (const [k, v] of Object.entries(b)) if (a[k] !== v || !Object.hasOwn(a, k)) keys.add(k);
  return keys;
}

type Obj = Record<string, unknown>;
const specOf = (o: KubeObject | undefined): Obj => (o?.spec ?? {}) as Obj;
const statusOf = (o: KubeObject | undefined): Obj => (o?.status ?? {}) as Obj;
const nodeNameOf = (pod: KubeObject | undefined): string => {
  const n = specOf(pod).nodeName;
  return typeof n === 'string' ? n : '';
};

/** Upstream's semantic equality for lists: absent and empty are the same. */
const sameList = (a: unknown, b: unknown): boolean => {
  const empty = (v: unknown): boolean =>
    v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  return (empty(a) && empty(b)) || deepEqual(a, b);
};

/**
 * Checks a write by a node; undefined (nothing to wait for) when the user is not a node. Rejects with upstream's
 * 403 (or the 404 of a pod or node the check needs).
 */
export function admitNodeRequest(
  req: NodeAdmissionRequest,
  lookups: NodeRestrictionLookups,
): Promise<void> | undefined {
  const nodeName = nodeIdentity(req.user);
  if (nodeName === undefined) return undefined;
  return new NodeRestriction(nodeName, req, lookups).admit();
}

class NodeRestriction {
  constructor(
    private readonly nodeName: string,
    private readonly req: NodeAdmissionRequest,
    private readonly lookups: NodeRestrictionLookups,
  ) {}

  /** upstream's admission.NewForbidden: `<resource> "<name>" is forbidden: <why>`. */
  private forbid(why: string): ApiError {
    return forbidden({ group: this.req.group, resource: this.req.resource }, this.req.name, why);
  }

  async admit(): Promise<void> {
    const { req, nodeName } = this;
    if (!nodeName) throw this.forbid(`could not determine node from user ${q(req.user.username)}`);
    const subresource = req.subresource ?? '';
    if (req.group === '') {
      switch (req.resource) {
        case 'pods':
          if (subresource === '') return this.pod();
          if (subresource === 'status') return this.podStatus();
          if (subresource === 'eviction') return this.podEviction();
          throw this.forbid(
            `unexpected pod subresource ${q(subresource)}, only 'status' and 'eviction' are allowed`,
          );
        case 'nodes':
          return this.node();
        case 'persistentvolumeclaims':
          if (subresource !== 'status') throw this.forbid('may only update PVC status');
          return this.claimStatus();
        case 'serviceaccounts':
          return this.serviceAccountToken();
        case 'persistentvolumes':
          return this.volume();
      }
    }
    if (req.group === 'coordination.k8s.io' && req.resource === 'leases') return this.lease();
  }

  private async pod(): Promise<void> {
    const { req, nodeName } = this;
    switch (req.operation) {
      case 'CREATE':
        return this.podCreate();
      case 'DELETE': {
        const existing = req.oldObject ?? (await this.lookups.pod(req.namespace ?? '', req.name));
        if (!existing) throw notFound({ group: '', resource: 'pods' }, req.name);
        if (nodeNameOf(existing) !== nodeName)
          throw this.forbid(`node ${q(nodeName)} can only delete pods with spec.nodeName set to itself`);
        return;
      }
      default:
        throw this.forbid(
          `unexpected operation ${q(req.operation)}, node ${q(nodeName)} can only create and delete mirror pods`,
        );
    }
  }

  private async podCreate(): Promise<void> {
    const { nodeName } = this;
    const pod = this.req.object ?? {};
    const node = q(nodeName);
    if (!isMirrorPod(pod))
      throw this.forbid(
        `pod does not have ${q(MIRROR_POD_ANNOTATION)} annotation, node ${node} can only create mirror pods`,
      );
    if (nodeNameOf(pod) !== nodeName)
      throw this.forbid(`node ${node} can only create pods with spec.nodeName set to itself`);
    const owners: OwnerReference[] = pod.metadata?.ownerReferences ?? [];
    if (owners.length > 1)
      throw this.forbid(`node ${node} can only create pods with a single owner reference set to itself`);
    const owner = owners[0];
    if (!owner || owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== nodeName)
      throw this.forbid(`node ${node} can only create pods with an owner reference set to itself`);
    if (owner.controller !== true)
      throw this.forbid(`node ${node} can only create pods with a controller owner reference set to itself`);
    if (owner.blockOwnerDeletion === true)
      throw this.forbid(`node ${node} must not set blockOwnerDeletion on an owner reference`);
    const self = await this.lookups.node(nodeName);
    if (!self) throw notFound({ group: '', resource: 'nodes' }, nodeName);
    const uid = self.metadata?.uid ?? '';
    if (owner.uid !== uid)
      throw this.forbid(`node ${nodeName} UID mismatch: expected ${owner.uid} got ${uid}`);
    // A mirror pod must not make the Node authorizer grant the node anything else.
    if (podServiceAccount(pod))
      throw this.forbid(`node ${node} can not create pods that reference a service account`);
    const refs = podReferences(pod);
    if (refs.secrets.length > 0) throw this.forbid(`node ${node} can not create pods that reference secrets`);
    if (refs.configMaps.length > 0)
      throw this.forbid(`node ${node} can not create pods that reference configmaps`);
    if (referencesClusterTrustBundles(pod))
      throw this.forbid(`node ${node} can not create pods that reference clustertrustbundles`);
    if (hasClaimVolumes(pod))
      throw this.forbid(`node ${node} can not create pods that reference persistentvolumeclaims`);
  }

  private podStatus(): void {
    const { req, nodeName } = this;
    if (req.operation !== 'UPDATE') throw this.forbid(`unexpected operation ${q(req.operation)}`);
    if (nodeNameOf(req.oldObject) !== nodeName)
      throw this.forbid(
        `node ${q(nodeName)} can only update pod status for pods with spec.nodeName set to itself`,
      );
    if (modifiedLabels(req.object?.metadata?.labels, req.oldObject?.metadata?.labels).size > 0)
      throw this.forbid(`node ${q(nodeName)} cannot update labels through pod status`);
    if (!sameList(statusOf(req.object).resourceClaimStatuses, statusOf(req.oldObject).resourceClaimStatuses))
      throw this.forbid(`node ${q(nodeName)} cannot update resource claim statues`);
  }

  private async podEviction(): Promise<void> {
    const { req, nodeName } = this;
    if (req.operation !== 'CREATE') throw this.forbid(`unexpected operation ${req.operation}`);
    const podName = req.name || (req.object?.metadata?.name ?? '');
    if (!podName) throw this.forbid('could not determine pod from request data');
    const existing = req.oldObject ?? (await this.lookups.pod(req.namespace ?? '', podName));
    if (!existing) throw notFound({ group: '', resource: 'pods' }, podName);
    if (nodeNameOf(existing) !== nodeName)
      throw this.forbid(`node ${nodeName} can only evict pods with spec.nodeName set to itself`);
  }

  /** Only the resize-related status a kubelet reports (capacity, conditions, allocated resources). */
  private claimStatus(): void {
    const { req, nodeName } = this;
    if (req.operation !== 'UPDATE') throw this.forbid(`unexpected operation ${q(req.operation)}`);
    const comparable = (o: KubeObject | undefined): KubeObject => {
      const { resourceVersion: _rv, managedFields: _mf, ...metadata } = o?.metadata ?? {};
      const {
        capacity: _c,
        conditions: _cond,
        allocatedResources: _ar,
        allocatedResourceStatuses: _ars,
        ...status
      } = statusOf(o);
      return { ...o, metadata, status };
    };
    const before = comparable(req.oldObject);
    const after = comparable(req.object);
    if (deepEqual(before, after)) return;
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .flatMap((k) => {
        const [a, b] = [before[k], after[k]];
        if (deepEqual(a, b)) return [];
        const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
        if (!isObj(a) || !isObj(b)) return [k];
        return [...new Set([...Object.keys(a), ...Object.keys(b)])]
          .filter((f) => !deepEqual(a[f], b[f]))
          .map((f) => `${k}.${f}`);
      })
      .sort();
    throw this.forbid(
      `node ${q(nodeName)} is not allowed to update fields other than status.capacity and status.conditions: ${changed.join(', ')}`,
    );
  }

  private node(): void {
    const { req, nodeName } = this;
    if (req.name !== nodeName)
      throw this.forbid(`node ${q(nodeName)} is not allowed to modify node ${q(req.name)}`);
    const node = req.object;
    if (req.operation === 'CREATE') {
      // Anything in spec.configSource would widen what the node may read.
      if (specOf(node).configSource != null)
        throw this.forbid(`node ${q(nodeName)} is not allowed to create pods with a non-nil configSource`);
      const labels = forbiddenNodeLabels(modifiedLabels(node?.metadata?.labels, {}));
      if (labels.length > 0)
        throw this.forbid(
          `node ${q(nodeName)} is not allowed to set the following labels: ${labels.join(', ')}`,
        );
    }
    if (req.operation === 'UPDATE') {
      const old = req.oldObject;
      const configSource = specOf(node).configSource;
      if (configSource != null && !deepEqual(configSource, specOf(old).configSource))
        throw this.forbid(
          `node ${q(nodeName)} is not allowed to update configSource to a new non-nil configSource`,
        );
      // Taints keep workloads off the node: it may not lift them itself.
      if (!sameList(specOf(node).taints, specOf(old).taints))
        throw this.forbid(`node ${q(nodeName)} is not allowed to modify taints`);
      const labels = forbiddenNodeLabels(modifiedLabels(node?.metadata?.labels, old?.metadata?.labels));
      if (labels.length > 0) throw this.forbid(`is not allowed to modify labels: ${labels.join(', ')}`);
    }
  }

  private async serviceAccountToken(): Promise<void> {
    const { req, nodeName } = this;
    if (req.operation !== 'CREATE' || req.subresource !== 'token') return;
    const raw = specOf(req.object).boundObjectRef;
    const ref = typeof raw === 'object' && raw !== null ? (raw as Obj) : undefined;
    if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || typeof ref.name !== 'string' || !ref.name)
      throw this.forbid('node requested token not bound to a pod');
    if (typeof ref.uid !== 'string' || !ref.uid)
      throw this.forbid('node requested token with a pod binding without a uid');
    const pod = await this.lookups.pod(req.namespace ?? '', ref.name);
    if (!pod) throw notFound({ group: '', resource: 'pods' }, ref.name);
    if (ref.uid !== pod.metadata?.uid)
      throw this.forbid(
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    if (nodeNameOf(pod) !== nodeName)
      throw this.forbid('node requested token bound to a pod scheduled on a different node');
  }

  private lease(): void {
    const { req, nodeName } = this;
    if (req.namespace !== NODE_LEASE_NAMESPACE)
      throw this.forbid(`can only access leases in the ${q(NODE_LEASE_NAMESPACE)} system namespace`);
    const name = req.operation === 'CREATE' ? (req.object?.metadata?.name ?? '') : req.name;
    if (name !== nodeName)
      throw this.forbid('can only access node lease with the same name as the requesting node');
  }

  /** Tugboat's own: the node's local-path cleanup deletes released local-path volumes of that node only. */
  private async volume(): Promise<void> {
    const { req, nodeName } = this;
    if (req.operation !== 'DELETE') return;
    const pv = req.oldObject;
    const required = (specOf(pv).nodeAffinity as { required?: NodeSelector } | undefined)?.required;
    const self = await this.lookups.node(nodeName);
    const ours =
      pv?.metadata?.annotations?.[PV_PROVISIONED_BY] === LOCAL_PATH_PROVISIONER &&
      statusOf(pv).phase === 'Released' &&
      specOf(pv).persistentVolumeReclaimPolicy === 'Delete' &&
      !!required &&
      !!self &&
      nodeMatchesSelector(self as Node, required);
    if (!ours)
      throw this.forbid(
        `node ${q(nodeName)} can only delete released volumes of the ${q(LOCAL_PATH_PROVISIONER)} provisioner with a node affinity for itself`,
      );
  }
}
