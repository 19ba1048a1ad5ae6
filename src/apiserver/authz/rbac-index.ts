/**
 * The RBAC objects the authorizer decides from, kept in memory from the watch cache (upstream reads them from
 * informers): roles by name, bindings by namespace.
 */
import type { KubeObject, StoredObject } from '../../api/meta.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { followStored } from '../watch/follow-stored.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';
import { RBAC_GROUP, type PolicyRule, type RoleRef, type Subject } from './types.js';

export interface Binding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  /** Empty for ClusterRoleBindings. */
  namespace: string;
  roleRef: RoleRef;
  subjects: Subject[];
}

const asArray = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const strings = (v: unknown): string[] =>
  asArray<unknown>(v).filter((s): s is string => typeof s === 'string');

/** Rules as stored, read without trusting their shape (validated on write). */
export function rulesOf(obj: KubeObject): PolicyRule[] {
  return asArray<Record<string, unknown>>(obj.rules).map((r) => {
    const rule: PolicyRule = { verbs: strings(r.verbs) };
    if (r.apiGroups !== undefined) rule.apiGroups = strings(r.apiGroups);
    if (r.resources !== undefined) rule.resources = strings(r.resources);
    if (r.resourceNames !== undefined) rule.resourceNames = strings(r.resourceNames);
    if (r.nonResourceURLs !== undefined) rule.nonResourceURLs = strings(r.nonResourceURLs);
    return rule;
  });
}

export function bindingOf(obj: KubeObject, kind: Binding['kind']): Binding {
  const ref = (obj.roleRef ?? {}) as Partial<RoleRef>;
  return {
    kind,
    name: obj.metadata?.name ?? '',
    namespace: obj.metadata?.namespace ?? '',
    roleRef: { apiGroup: ref.apiGroup ?? RBAC_GROUP, kind: ref.kind ?? '', name: ref.name ?? '' },
    subjects: asArray<Subject>(obj.subjects),
  };
}

const nsKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export class RbacIndex {
  /** Set when a followed kind's watch ended while the server runs: what is here may be out of date. */
  stale = false;
  private readonly clusterRoles = new Map<string, PolicyRule[]>();
  private readonly roles = new Map<string, PolicyRule[]>();
  private readonly clusterRoleBindingsByName = new Map<string, Binding>();
  private readonly roleBindingsByNamespace = new Map<string, Map<string, Binding>>();

  clusterRoleRules(name: string): PolicyRule[] | undefined {
    return this.clusterRoles.get(name);
  }

  roleRules(namespace: string, name: string): PolicyRule[] | undefined {
    return this.roles.get(nsKey(namespace, name));
  }

  clusterRoleBindings(): Iterable<Binding> {
    return this.clusterRoleBindingsByName.values();
  }

  roleBindings(namespace: string): Iterable<Binding> {
    return this.roleBindingsByNamespace.get(namespace)?.values() ?? [];
  }

  putClusterRole(o: StoredObject): void {
    this.clusterRoles.set(o.metadata.name, rulesOf(o));
  }

  putRole(o: StoredObject): void {
    this.roles.set(nsKey(o.metadata.namespace, o.metadata.name), rulesOf(o));
  }

  putClusterRoleBinding(o: StoredObject): void {
    this.clusterRoleBindingsByName.set(o.metadata.name, bindingOf(o, 'ClusterRoleBinding'));
  }

  putRoleBinding(o: StoredObject): void {
    const ns = o.metadata.namespace ?? '';
    let bindings = this.roleBindingsByNamespace.get(ns);
    if (!bindings) this.roleBindingsByNamespace.set(ns, (bindings = new Map()));
    bindings.set(o.metadata.name, bindingOf(o, 'RoleBinding'));
  }

  removeRoleBinding(name: string, namespace = ''): void {
    const bindings = this.roleBindingsByNamespace.get(namespace);
    bindings?.delete(name);
    if (bindings?.size === 0) this.roleBindingsByNamespace.delete(namespace);
  }

  /** Loads the four kinds and follows them; the subscriptions end with the server. */
  async track(storage: ObjectStorage, registry: Registry, watchCache: WatchCache): Promise<Subscription[]> {
    const follow = (
      plural: string,
      put: (o: StoredObject) => void,
      remove: (name: string, namespace: string | undefined) => void,
    ): Promise<Subscription | undefined> =>
      followStored(storage, registry, watchCache, { group: RBAC_GROUP, plural }, put, remove, () => {
        this.stale = true;
      });
    const subs = [
      await follow(
        'clusterroles',
        (o) => this.putClusterRole(o),
        (name) => this.clusterRoles.delete(name),
      ),
      await follow(
        'roles',
        (o) => this.putRole(o),
        (name, ns) => this.roles.delete(nsKey(ns, name)),
      ),
      await follow(
        'clusterrolebindings',
        (o) => this.putClusterRoleBinding(o),
        (name) => this.clusterRoleBindingsByName.delete(name),
      ),
      await follow(
        'rolebindings',
        (o) => this.putRoleBinding(o),
        (name, ns) => this.removeRoleBinding(name, ns),
      ),
    ];
    return subs.filter((s) => s !== undefined);
  }
}
