import { apiVersionOf, qualifiedResource, type KubeObject, cloneJson } from '../../api/meta.js';
import { CATALOG, type KindInfo } from './catalog.js';
import type { ResourceDef, Strategy, TableConvertor, VersionAlias } from './types.js';

export type { ResourceDef, Strategy, TableConvertor, VersionAlias } from './types.js';

/** A resource as served at one group/version: the canonical definition plus the alias that converts, if any. */
export interface ServedResource {
  def: ResourceDef;
  group: string;
  version: string;
  alias?: VersionAlias;
}

export interface RegistryParts {
  strategies?: Record<string, Strategy>;
  tables?: Record<string, TableConvertor>;
  aliases?: Record<string, VersionAlias[]>;
}

/** `deployments.apps` / `pods`: the key every per-resource table uses. */
export function resourceKey(r: { group: string; plural: string }): string {
  return qualifiedResource({ group: r.group, resource: r.plural });
}

export function buildResourceDefs(parts: RegistryParts, catalog: KindInfo[] = CATALOG): ResourceDef[] {
  return catalog.map((info) => {
    const key = resourceKey(info);
    const strategy: Strategy = { ...(parts.strategies?.[key] ?? {}) };
    const def: ResourceDef = { ...info, strategy };
    const table = parts.tables?.[key];
    if (table) def.table = table;
    const aliases = parts.aliases?.[key];
    if (aliases) def.aliases = aliases;
    return def;
  });
}

interface GroupVersions {
  group: string;
  /** Preferred first. */
  versions: string[];
}

/**
 * Lookup tables over the served resources, and the discovery order of groups and versions. Built-in kinds are
 * fixed; custom resources (one entry per CustomResourceDefinition) come and go while the server runs, and the
 * tables are rebuilt then (rare, so simplicity wins over incremental upkeep).
 */
export class Registry {
  private served = new Map<string, ServedResource>();
  private byGV = new Map<string, ServedResource[]>();
  private canonical = new Map<string, ResourceDef>();
  private groupOrder: GroupVersions[] = [];
  private readonly custom = new Map<string, ResourceDef>();
  private all: ResourceDef[] = [];

  constructor(private readonly builtin: ResourceDef[]) {
    this.rebuild();
  }

  /** Every canonical definition, built-in first. */
  get defs(): readonly ResourceDef[] {
    return this.all;
  }

  /** Serves (or re-serves, after a change) a custom resource under `id` (its CRD's name). */
  setCustom(id: string, def: ResourceDef): void {
    this.custom.set(id, def);
    this.rebuild();
  }

  removeCustom(id: string): void {
    if (this.custom.delete(id)) this.rebuild();
  }

  private rebuild(): void {
    this.served = new Map();
    this.byGV = new Map();
    this.canonical = new Map();
    this.groupOrder = [];
    this.all = [...this.builtin, ...this.custom.values()];
    for (const def of this.builtin) {
      this.canonical.set(resourceKey(def), def);
      this.add({ def, group: def.group, version: def.version });
    }
    for (const def of this.builtin) {
      for (const alias of def.aliases ?? [])
        this.add({ def, group: alias.group, version: alias.version, alias });
    }
    // A custom resource's versions are listed in its own order of preference (the first is preferred).
    for (const def of this.custom.values()) {
      this.canonical.set(resourceKey(def), def);
      const served: ServedResource[] = (def.aliases ?? []).map((alias) => ({
        def,
        group: alias.group,
        version: alias.version,
        alias,
      }));
      if (def.servesCanonical !== false) served.push({ def, group: def.group, version: def.version });
      const rank = (v: string): number => def.versionOrder?.indexOf(v) ?? 0;
      for (const s of served.sort((a, b) => rank(a.version) - rank(b.version))) this.add(s);
    }
  }

  private add(s: ServedResource): void {
    this.served.set(`${s.group}/${s.version}/${s.def.plural}`, s);
    const gvKey = `${s.group}/${s.version}`;
    let list = this.byGV.get(gvKey);
    if (!list) {
      this.byGV.set(gvKey, (list = []));
      let g = this.groupOrder.find((x) => x.group === s.group);
      if (!g) this.groupOrder.push((g = { group: s.group, versions: [] }));
      g.versions.push(s.version);
    }
    list.push(s);
  }

  lookup(group: string, version: string, plural: string): ServedResource | undefined {
    return this.served.get(`${group}/${version}/${plural}`);
  }

  /** The canonical definition of a resource, e.g. ('apps', 'deployments'). */
  get(group: string, plural: string): ResourceDef | undefined {
    return this.canonical.get(resourceKey({ group, plural }));
  }

  mustGet(group: string, plural: string): ResourceDef {
    const def = this.get(group, plural);
    if (!def) throw new Error(`resource ${plural}.${group} is not registered`);
    return def;
  }

  resourcesIn(group: string, version: string): ServedResource[] {
    return this.byGV.get(`${group}/${version}`) ?? [];
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.byGV.has(`${group}/${version}`);
  }

  /** Groups (core excluded) in discovery order, versions preferred first. */
  groups(): GroupVersions[] {
    return this.groupOrder.filter((g) => g.group !== '');
  }

  group(name: string): GroupVersions | undefined {
    return this.groupOrder.find((g) => g.group === name);
  }
}

/** Convert a canonical object to the served version for a response (a copy when converting). */
/**
 * The object as served at s's version without touching obj: obj itself when it already is (the canonical
 * version with apiVersion and kind set, the usual case), otherwise a converted copy.
 */
export function servedView(s: ServedResource, obj: KubeObject): KubeObject {
  if (!s.alias && obj.apiVersion === apiVersionOf(s.group, s.version) && obj.kind === s.def.kind) return obj;
  return toServedVersion(s, s.alias ? obj : cloneJson(obj));
}

export function toServedVersion(s: ServedResource, obj: KubeObject): KubeObject {
  if (s.alias) {
    const out = s.alias.fromCanonical(cloneJson(obj));
    out.apiVersion = apiVersionOf(s.group, s.version);
    return out;
  }
  obj.apiVersion = apiVersionOf(s.group, s.version);
  obj.kind = s.def.kind;
  return obj;
}
