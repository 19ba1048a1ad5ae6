/**
 * What the Node authorizer decides from (upstream's node authorizer graph): which node may read which
 * Secret, ConfigMap, PersistentVolumeClaim, PersistentVolume and ServiceAccount token because a pod bound to it
 * refers to the object. Kept in memory from the watch cache and answered synchronously.
 *
 * Instead of upstream's general graph, a reverse index: each referred-to object has a count of the bound pods
 * referring to it per node, and each bound pod keeps pointers to the entries it counts in (so an update or a
 * delete takes back exactly what the pod added). Pods not bound to a node and mirror pods (which may refer to
 * nothing, see NodeRestriction) are not kept. PersistentVolumes are reached through the claim that names them
 * (`spec.volumeName` of a tracked PersistentVolumeClaim).
 */
import type { StoredObject } from '../../api/meta.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { followStored } from '../watch/follow-stored.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';
import { isMirrorPod, podReferences, podServiceAccount } from './pod-references.js';

/** The kinds a node reaches through its pods. */
export type ReferredKind = 'secret' | 'configmap' | 'pvc' | 'serviceaccount';

const KIND_PREFIX: Record<ReferredKind, string> = {
  secret: 's',
  configmap: 'c',
  pvc: 'p',
  serviceaccount: 'a',
};

/** One referred-to object: how many bound pods of each node refer to it. */
interface Target {
  key: string;
  nodes: Map<string, number>;
}

/** A bound pod: its node and the targets it counts in (each once). */
interface PodEntry {
  node: string;
  targets: Target[];
}

const targetKey = (kind: ReferredKind, namespace: string, name: string): string =>
  `${KIND_PREFIX[kind]}/${namespace}/${name}`;
const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

const nodeNameOf = (pod: StoredObject): string => {
  const nodeName = (pod.spec as { nodeName?: unknown } | undefined)?.nodeName;
  return typeof nodeName === 'string' ? nodeName : '';
};

const volumeNameOf = (claim: StoredObject): string => {
  const volumeName = (claim.spec as { volumeName?: unknown } | undefined)?.volumeName;
  return typeof volumeName === 'string' ? volumeName : '';
};

export class NodeGraph {
  /** Set when the pods' or claims' watch ended while the server runs: the graph may be out of date. */
  stale = false;
  private readonly targets = new Map<string, Target>();
  /** Bound pods by namespace/name. */
  private readonly pods = new Map<string, PodEntry>();
  /** The volume each bound claim names, by claim namespace/name, and the claims naming each volume. */
  private readonly claimVolumes = new Map<string, string>();
  private readonly volumeClaims = new Map<string, Set<string>>();

  /** Whether a pod bound to `node` refers to the object. */
  reaches(node: string, kind: ReferredKind, namespace: string, name: string): boolean {
    return (this.targets.get(targetKey(kind, namespace, name))?.nodes.get(node) ?? 0) > 0;
  }

  /** Whether a claim that names the PersistentVolume is used by a pod bound to `node`. */
  reachesVolume(node: string, volumeName: string): boolean {
    for (const claim of this.volumeClaims.get(volumeName) ?? []) {
      const slash = claim.indexOf('/');
      if (this.reaches(node, 'pvc', claim.slice(0, slash), claim.slice(slash + 1))) return true;
    }
    return false;
  }

  /** Number of bound pods kept (for tests and metrics). */
  get podCount(): number {
    return this.pods.size;
  }

  putPod(pod: StoredObject): void {
    const key = objectKey(pod.metadata.namespace, pod.metadata.name);
    const node = nodeNameOf(pod);
    if (!node || isMirrorPod(pod)) {
      this.removePod(pod.metadata.name, pod.metadata.namespace);
      return;
    }
    const namespace = pod.metadata.namespace ?? '';
    const refs = podReferences(pod);
    const keys: string[] = [
      targetKey('serviceaccount', namespace, podServiceAccount(pod) || 'default'),
      ...refs.secrets.map((n) => targetKey('secret', namespace, n)),
      ...refs.configMaps.map((n) => targetKey('configmap', namespace, n)),
      ...refs.claims.map((n) => targetKey('pvc', namespace, n)),
    ];
    const existing = this.pods.get(key);
    // Most pod updates are status changes: nothing the graph holds differs.
    if (existing && existing.node === node && sameKeys(existing.targets, keys)) return;
    if (existing) this.release(existing);
    const entry: PodEntry = { node, targets: keys.map((k) => this.target(k)) };
    for (const t of entry.targets) t.nodes.set(node, (t.nodes.get(node) ?? 0) + 1);
    this.pods.set(key, entry);
  }

  removePod(name: string, namespace: string | undefined): void {
    const key = objectKey(namespace, name);
    const entry = this.pods.get(key);
    if (!entry) return;
    this.release(entry);
    this.pods.delete(key);
  }

  putClaim(claim: StoredObject): void {
    const key = objectKey(claim.metadata.namespace, claim.metadata.name);
    const volume = volumeNameOf(claim);
    const before = this.claimVolumes.get(key);
    if (before === volume) return;
    if (before !== undefined) this.dropClaim(key, before);
    if (!volume) return;
    this.claimVolumes.set(key, volume);
    let claims = this.volumeClaims.get(volume);
    if (!claims) this.volumeClaims.set(volume, (claims = new Set()));
    claims.add(key);
  }

  removeClaim(name: string, namespace: string | undefined): void {
    const key = objectKey(namespace, name);
    const volume = this.claimVolumes.get(key);
    if (volume !== undefined) this.dropClaim(key, volume);
  }

  /** Loads pods and claims and follows them; the subscriptions end with the server. */
  async track(storage: ObjectStorage, registry: Registry, watchCache: WatchCache): Promise<Subscription[]> {
    const lost = (): void => {
      this.stale = true;
    };
    const subs = [
      await followStored(
        storage,
        registry,
        watchCache,
        { group: '', plural: 'pods' },
        (o) => this.putPod(o),
        (name, ns) => this.removePod(name, ns),
        lost,
      ),
      await followStored(
        storage,
        registry,
        watchCache,
        { group: '', plural: 'persistentvolumeclaims' },
        (o) => this.putClaim(o),
        (name, ns) => this.removeClaim(name, ns),
        lost,
      ),
    ];
    return subs.filter((s) => s !== undefined);
  }

  private target(key: string): Target {
    let t = this.targets.get(key);
    if (!t) this.targets.set(key, (t = { key, nodes: new Map() }));
    return t;
  }

  private release(entry: PodEntry): void {
    for (const t of entry.targets) {
      const n = (t.nodes.get(entry.node) ?? 0) - 1;
      if (n > 0) t.nodes.set(entry.node, n);
      else t.nodes.delete(entry.node);
      if (t.nodes.size === 0) this.targets.delete(t.key);
    }
  }

  private dropClaim(key: string, volume: string): void {
    this.claimVolumes.delete(key);
    const claims = this.volumeClaims.get(volume);
    claims?.delete(key);
    if (claims?.size === 0) this.volumeClaims.delete(volume);
  }
}

function sameKeys(targets: Target[], keys: string[]): boolean {
  return targets.length === keys.length && targets.every((t, i) => t.key === keys[i]);
}
