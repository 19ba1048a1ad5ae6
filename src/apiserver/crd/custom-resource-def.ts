/**
 * A CustomResourceDefinition as the generic handler serves it: one ResourceDef whose canonical version is the
 * CRD's storage version, with every other served version as an alias. Conversion is `None` (upstream's
 * default): versions differ only in apiVersion.
 */
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionVersion,
} from 'kubernetes-types/apiextensions/v1.js';
import type { FieldError } from '../../api/errors.js';
import { apiVersionOf, isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ResourceDef, SubresourceName, VersionAlias } from '../registry/types.js';
import { customResourceTable } from './index.js';
import {
  applyDefaults,
  pruneNonNullableNulls,
  pruneUnknownFields,
  validateCelRules,
  validateCelTransitionRules,
  validateCustomResource,
  type JSONSchemaProps,
} from './schema/index.js';

export type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';

function schemaOf(v: CustomResourceDefinitionVersion | undefined): JSONSchemaProps | undefined {
  return v?.schema?.openAPIV3Schema;
}

function withApiVersion(group: string, version: string): (obj: KubeObject) => KubeObject {
  return (obj) => {
    obj.apiVersion = apiVersionOf(group, version);
    return obj;
  };
}

/**
 * The version a request body came in, for bodies converted to the storage version: as upstream, a body is
 * validated against its own version's schema. (Objects read from storage are of the storage version.)
 */
const requestVersions = new WeakMap<KubeObject, string>();

/** Upstream's order of preference among versions: GA before beta before alpha, then higher numbers first. */
export function versionPriority(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const level = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
    return [level, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a.localeCompare(b);
  return pb[0] - pa[0] || pb[1] - pa[1] || pb[2] - pa[2];
}

/** Builds the served definition of an established CRD; undefined when it serves nothing. */
export function customResourceDef(crd: CustomResourceDefinition): ResourceDef | undefined {
  const spec = crd.spec;
  const names = crd.status?.acceptedNames ?? spec.names;
  const versions = spec.versions ?? [];
  const storage = versions.find((v) => v.storage);
  if (!storage || !versions.some((v) => v.served)) return undefined;
  const group = spec.group;
  const schemas = new Map(versions.map((v) => [v.name, schemaOf(v)]));
  const storageSchema = schemaOf(storage);
  const subresources: SubresourceName[] = [];
  const hasStatus = !!storage.subresources?.status;
  if (hasStatus) subresources.push('status');
  const scale = storage.subresources?.scale;
  if (scale) subresources.push('scale');

  const served = versions
    .filter((v) => v.served && v.name !== storage.name)
    .sort((a, b) => versionPriority(a.name, b.name));
  const aliases: VersionAlias[] = served.map((v) => ({
    group,
    version: v.name,
    toCanonical: (obj) => {
      requestVersions.set(obj, v.name);
      return withApiVersion(group, storage.name)(obj);
    },
    fromCanonical: withApiVersion(group, v.name),
    ...(v.deprecated
      ? { warning: v.deprecationWarning ?? `${group}/${v.name} ${names.kind} is deprecated` }
      : {}),
    ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
  }));

  const def: ResourceDef = {
    group,
    version: storage.name,
    kind: names.kind,
    plural: names.plural,
    singular: names.singular || names.kind.toLowerCase(),
    namespaced: spec.scope !== 'Cluster',
    generationTracked: true,
    strategy: {
      // Decoding defaults a body; this covers what never passes through it whole (server-side apply's result).
      defaults(obj) {
        if (storageSchema) applyDefaults(obj, storageSchema);
      },
      prepareForUpdate(obj, old) {
        if (hasStatus) {
          if (old.status === undefined) delete obj.status;
          else obj.status = old.status;
        }
      },
      validate: (obj) => validateAgainst(schemas.get(requestVersions.get(obj) ?? storage.name), obj),
      validateUpdate: (obj, old) =>
        storageSchema ? validateCelTransitionRules(obj, old, storageSchema) : [],
      validatesStatus: true,
    },
    table: customResourceTable(storage.additionalPrinterColumns ?? []),
    decodeBody(body, version, opts = {}) {
      const schema = schemas.get(version);
      if (!schema) return [];
      const pruned = pruneUnknownFields(body, schema);
      if (opts.defaults === false) return pruned;
      pruneNonNullableNulls(body, schema);
      applyDefaults(body, schema);
      return pruned;
    },
  };
  if (names.shortNames?.length) def.shortNames = names.shortNames;
  if (names.categories?.length) def.categories = names.categories;
  if (subresources.length) def.subresources = subresources;
  if (aliases.length) def.aliases = aliases;
  if (!storage.served) def.servesCanonical = false;
  def.versionOrder = versions
    .filter((v) => v.served)
    .map((v) => v.name)
    .sort(versionPriority);
  if (scale) {
    def.scalePaths = {
      specReplicasPath: scale.specReplicasPath,
      statusReplicasPath: scale.statusReplicasPath,
      ...(scale.labelSelectorPath ? { labelSelectorPath: scale.labelSelectorPath } : {}),
    };
  }
  return def;
}

function validateAgainst(schema: JSONSchemaProps | undefined, obj: KubeObject): FieldError[] {
  if (!schema || !isPlainObject(obj)) return [];
  return [...validateCustomResource(obj, schema), ...validateCelRules(obj, schema)];
}
