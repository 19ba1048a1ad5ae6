import { isPlainObject, type KubeObject, cloneJson } from '../../../api/meta.js';

export type Obj = Record<string, any>;

export function clone<T>(value: T): T {
  return cloneJson(value);
}

export function rec(value: unknown): Obj | undefined {
  return isPlainObject(value) ? value : undefined;
}

/** A deprecated version's warning and the release that removed it upstream (for the audit annotation). */
export function deprecation(
  groupVersion: string,
  kind: string,
  deprecatedIn: string,
  removedIn: string,
  replacement: string,
): { warning: string; removedRelease: string } {
  return {
    warning: deprecationWarning(groupVersion, kind, deprecatedIn, removedIn, replacement),
    removedRelease: removedIn,
  };
}

/** Upstream deprecation.WarningMessage: `<gv> <Kind> is deprecated in vX+, unavailable in vY+; use <gv> <Kind>`. */
function deprecationWarning(
  groupVersion: string,
  kind: string,
  deprecatedIn: string,
  removedIn: string,
  replacement: string,
): string {
  return `${groupVersion} ${kind} is deprecated in v${deprecatedIn}+, unavailable in v${removedIn}+; use ${replacement}`;
}

/** A copy of obj with apiVersion (and kind kept) set to the given version. */
export function withApiVersion(obj: KubeObject, apiVersion: string): KubeObject {
  const out = clone(obj);
  out.apiVersion = apiVersion;
  return out;
}

export function setAnnotation(obj: KubeObject, key: string, value: string): void {
  obj.metadata ??= {};
  obj.metadata.annotations = { ...obj.metadata.annotations, [key]: value };
}

/** Removes an annotation, returning its value; drops an emptied annotations map. */
export function takeAnnotation(obj: KubeObject, key: string): string | undefined {
  const annotations = obj.metadata?.annotations;
  if (!annotations || typeof annotations !== 'object' || !(key in annotations)) return undefined;
  const value = annotations[key];
  const rest = { ...annotations };
  delete rest[key];
  if (obj.metadata) {
    if (Object.keys(rest).length > 0) obj.metadata.annotations = rest;
    else delete obj.metadata.annotations;
  }
  return value;
}
