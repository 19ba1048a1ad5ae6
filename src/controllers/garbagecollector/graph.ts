import type { KubeObject, OwnerReference } from '../../api/meta.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** Where an object lives; for a virtual node, what its dependents say about it. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

/** One object of the dependency graph: only the metadata the collector needs. */
export class GraphNode {
  owners: OwnerReference[] = [];
  readonly dependents = new Set<GraphNode>();
  /** Known only from dependents' ownerReferences; not (yet) seen by a watch. */
  virtual = false;
  beingDeleted = false;
  /** Has a deletionTimestamp and the foregroundDeletion finalizer. */
  deletingDependents = false;

  constructor(public identity: ObjectIdentity) {}

  get uid(): string {
    return this.identity.uid;
  }

  /** Dependents whose reference to this node sets blockOwnerDeletion. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((d) =>
      d.owners.some((r) => r.uid === this.uid && r.blockOwnerDeletion === true),
    );
  }
}

export interface GraphSink {
  attemptToDelete(node: GraphNode): void;
  attemptToOrphan(node: GraphNode): void;
}

export function hasFinalizer(obj: KubeObject | undefined, f: string): boolean {
  return obj?.metadata?.finalizers?.includes(f) ?? false;
}

function identityOf(obj: KubeObject): ObjectIdentity {
  const m = obj.metadata ?? {};
  return {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    namespace: m.namespace ?? '',
    name: m.name ?? '',
    uid: m.uid ?? '',
  };
}

/**
 * The owner→dependents graph, keyed by uid (upstream's GraphBuilder). Watch events update it synchronously and
 * hand the nodes that need attention to the sink's queues.
 */
export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();

  constructor(private readonly sink: GraphSink) {}

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** An add or update from a watch. */
  observe(obj: KubeObject, old?: KubeObject): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const refs = obj.metadata?.ownerReferences ?? [];
    let node = this.nodes.get(uid);
    if (!node) {
      node = new GraphNode(identityOf(obj));
      node.owners = [...refs];
      this.nodes.set(uid, node);
      for (const ref of refs) this.link(node, ref);
    } else {
      if (node.virtual) {
        node.virtual = false;
        this.recheckDependentsElsewhere(node, obj);
      }
      node.identity = identityOf(obj);
      this.updateOwners(node, refs);
    }
    this.processTransitions(node, obj, old);
  }

  /** A delete from a watch, or a virtual node found not to exist. */
  remove(uid: string): void {
    const node = this.nodes.get(uid);
    if (!node) return;
    this.nodes.delete(uid);
    for (const ref of node.owners) {
      const owner = this.nodes.get(ref.uid);
      if (!owner) continue;
      owner.dependents.delete(node);
      // An owner deleting in the foreground may have been waiting for this one.
      if (owner.deletingDependents) this.sink.attemptToDelete(owner);
    }
    for (const dep of node.dependents) this.sink.attemptToDelete(dep);
  }

  private link(node: GraphNode, ref: OwnerReference): void {
    let owner = this.nodes.get(ref.uid);
    if (!owner) {
      // Until a watch shows the owner, its existence is checked with a live lookup.
      owner = new GraphNode({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        namespace: node.identity.namespace,
        name: ref.name,
        uid: ref.uid,
      });
      owner.virtual = true;
      this.nodes.set(ref.uid, owner);
      this.sink.attemptToDelete(owner);
    } else if (
      !owner.virtual &&
      owner.identity.namespace &&
      owner.identity.namespace !== node.identity.namespace
    ) {
      // A namespaced owner must be in the dependent's namespace: the lookup there decides.
      this.sink.attemptToDelete(node);
    } else if (owner.deletingDependents) {
      // Created while its owner is being deleted in the foreground: it goes too.
      this.sink.attemptToDelete(node);
    }
    owner.dependents.add(node);
  }

  private updateOwners(node: GraphNode, refs: OwnerReference[]): void {
    const before = new Map(node.owners.map((r) => [r.uid, r]));
    const after = new Map(refs.map((r) => [r.uid, r]));
    for (const [uid, ref] of before) {
      const owner = this.nodes.get(uid);
      const now = after.get(uid);
      if (!now) {
        owner?.dependents.delete(node);
        if (owner?.deletingDependents) this.sink.attemptToDelete(owner);
      } else if (ref.blockOwnerDeletion && !now.blockOwnerDeletion && owner?.deletingDependents) {
        this.sink.attemptToDelete(owner);
      }
    }
    node.owners = [...refs];
    for (const [uid, ref] of after) if (!before.has(uid)) this.link(node, ref);
  }

  /** Deletion with the orphan or foregroundDeletion finalizer starts the matching work. */
  private processTransitions(node: GraphNode, obj: KubeObject, old?: KubeObject): void {
    const deleting = !!obj.metadata?.deletionTimestamp;
    const wasDeleting = !!old?.metadata?.deletionTimestamp;
    node.beingDeleted = deleting;
    node.deletingDependents = deleting && hasFinalizer(obj, FINALIZER_FOREGROUND);
    if (deleting && hasFinalizer(obj, FINALIZER_ORPHAN)) {
      if (!wasDeleting || !hasFinalizer(old, FINALIZER_ORPHAN)) this.sink.attemptToOrphan(node);
    }
    if (node.deletingDependents) {
      if (!wasDeleting || !hasFinalizer(old, FINALIZER_FOREGROUND)) {
        for (const dep of node.dependents) this.sink.attemptToDelete(dep);
        this.sink.attemptToDelete(node);
      }
    }
  }

  /** Dependents in other namespaces that named this (namespaced) owner by uid hold an invalid reference. */
  private recheckDependentsElsewhere(node: GraphNode, obj: KubeObject): void {
    const ns = obj.metadata?.namespace ?? '';
    if (!ns) return;
    for (const dep of node.dependents) if (dep.identity.namespace !== ns) this.sink.attemptToDelete(dep);
  }
}
