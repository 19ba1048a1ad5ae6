/** CustomResourceDefinition (apiextensions.k8s.io/v1) defaulting and status handling on writes. */
import { isPlainObject, cloneJson, type KubeObject } from '../../api/meta.js';

type Obj = Record<string, unknown>;

const rec = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function child(parent: Obj, key: string): Obj {
  const cur = rec(parent[key]);
  if (cur) return cur;
  const made: Obj = {};
  parent[key] = made;
  return made;
}

/** The first version marked as storage, as upstream picks it. */
export function storageVersion(obj: KubeObject): string | undefined {
  const v = list(rec(obj.spec)?.versions).find((x) => rec(x)?.storage === true);
  return v === undefined ? undefined : str(rec(v)?.name);
}

/**
 * SetDefaults_CustomResourceDefinition (v1): singular and listKind from kind, conversion strategy None,
 * webhook service port 443, storedVersions from the storage version when empty. The typed round trip is
 * mirrored too: `served`/`storage` are always written (false when absent), while the omitempty booleans
 * `preserveUnknownFields` and `deprecated` are dropped when false (absent means false).
 */
export function defaultCrd(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  const names = child(spec, 'names');
  const kind = str(names.kind);
  if (!names.singular && kind) names.singular = kind.toLowerCase();
  if (!names.listKind && kind) names.listKind = `${kind}List`;
  if (!rec(spec.conversion)) spec.conversion = { strategy: 'None' };
  const service = rec(rec(rec(rec(spec.conversion)?.webhook)?.clientConfig)?.service);
  if (service && (service.port === undefined || service.port === null)) service.port = 443;
  if (spec.preserveUnknownFields === false) delete spec.preserveUnknownFields;
  for (const v of list(spec.versions)) {
    const version = rec(v);
    if (!version) continue;
    if (typeof version.served !== 'boolean') version.served = false;
    if (typeof version.storage !== 'boolean') version.storage = false;
    if (version.deprecated === false) delete version.deprecated;
  }
  const status = rec(obj.status);
  if (list(status?.storedVersions).length === 0) {
    const stored = storageVersion(obj);
    if (stored !== undefined) child(obj, 'status').storedVersions = [stored];
  }
}

/** Adds the storage version to status.storedVersions (it is stored from now on), as upstream's strategy. */
function recordStorageVersion(obj: KubeObject): void {
  const stored = storageVersion(obj);
  if (stored === undefined) return;
  const status = child(obj, 'status');
  const versions = list(status.storedVersions);
  if (!versions.includes(stored)) status.storedVersions = [...versions, stored];
}

/**
 * A new CRD starts with upstream's empty status (acceptedNames' non-omitempty fields) and its storage version
 * recorded; the names controller fills the rest. metadata.generation is set by the generic code.
 */
export function prepareCrdForCreate(obj: KubeObject): void {
  obj.status = { acceptedNames: { plural: '', kind: '' } };
  recordStorageVersion(obj);
}

/** Status is written only through /status; a new storage version is recorded as stored. */
export function prepareCrdForUpdate(obj: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = cloneJson(old.status);
  recordStorageVersion(obj);
}
