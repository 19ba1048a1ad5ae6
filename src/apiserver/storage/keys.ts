/**
 * Store key layout: /registry/<group or "core">/<plural>/[<namespace>/]<name>.
 * The trailing slash on prefixes keeps `pods/` from matching `podtemplates/`.
 */
export const ROOT_PREFIX = '/registry/';

export interface ResourceKeyParts {
  group: string;
  plural: string;
  namespaced: boolean;
}

function groupSegment(group: string): string {
  return group === '' ? 'core' : group;
}

export function resourcePrefix(r: ResourceKeyParts, namespace?: string): string {
  const base = `${ROOT_PREFIX}${groupSegment(r.group)}/${r.plural}/`;
  return r.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function objectKey(r: ResourceKeyParts, namespace: string | undefined, name: string): string {
  return r.namespaced ? `${resourcePrefix(r)}${namespace ?? ''}/${name}` : `${resourcePrefix(r)}${name}`;
}

export interface ParsedKey {
  group: string;
  plural: string;
  namespace?: string;
  name: string;
}

/** Inverse of objectKey (for watch events). */
export function parseKey(key: string): ParsedKey | undefined {
  if (!key.startsWith(ROOT_PREFIX)) return undefined;
  const parts = key.slice(ROOT_PREFIX.length).split('/');
  if (parts.length === 3) {
    const [g, plural, name] = parts as [string, string, string];
    return { group: g === 'core' ? '' : g, plural, name };
  }
  if (parts.length === 4) {
    const [g, plural, namespace, name] = parts as [string, string, string, string];
    return { group: g === 'core' ? '' : g, plural, namespace, name };
  }
  return undefined;
}
