/**
 * The CRD spec as upstream validates it: converted to the internal version, where per-version schema,
 * subresources, printer columns and selectable fields that are identical in every version move up to the
 * spec. Error paths follow that shape (`spec.validation.openAPIV3Schema`, `spec.subresources`,
 * `spec.additionalPrinterColumns[0]`), and so do the Go values some messages print.
 */
import { isPlainObject } from '../../api/meta.js';
import { goPointer, goQuote } from './go-print.js';

type Obj = Record<string, unknown>;

export interface InternalVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated: boolean;
  deprecationWarning: unknown;
  /** Set only where versions differ (otherwise moved to the spec). */
  schema?: Obj;
  subresources?: Obj;
  columns?: unknown[];
  selectableFields?: unknown[];
}

export interface InternalSpec {
  /** undefined when spec.versions is absent (a nil slice), [] when empty. */
  versions: InternalVersion[] | undefined;
  validation?: Obj;
  subresources?: Obj;
  columns?: unknown[];
  selectableFields?: unknown[];
}

const rec = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
const arr = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? (v as unknown[]) : undefined);

/** Semantic equality of Go values: null and absent members alike, as are empty and absent lists. */
function canonical(v: unknown): string {
  return JSON.stringify(v ?? null, (_, x: unknown) => {
    if (!isPlainObject(x)) return x;
    const out: Obj = {};
    for (const k of Object.keys(x).sort()) {
      const m = x[k];
      if (m === null || m === undefined || (Array.isArray(m) && m.length === 0)) continue;
      out[k] = m;
    }
    return out;
  });
}

const same = (a: unknown, b: unknown): boolean =>
  canonical(Array.isArray(a) && a.length === 0 ? null : a) ===
  canonical(Array.isArray(b) && b.length === 0 ? null : b);

export function internalSpec(spec: Obj): InternalSpec {
  const raw = arr(spec.versions);
  if (!raw) return { versions: undefined };
  const vs = raw.map((v) => rec(v) ?? {});
  const versions: InternalVersion[] = vs.map((v) => ({
    name: typeof v.name === 'string' ? v.name : '',
    served: v.served === true,
    storage: v.storage === true,
    deprecated: v.deprecated === true,
    deprecationWarning: v.deprecationWarning,
  }));
  const first = vs[0];
  if (!first) return { versions };
  const identical = (key: string): boolean => vs.every((v) => same(v[key], first[key]));
  const schemaSame = identical('schema');
  const subresourcesSame = identical('subresources');
  const columnsSame = identical('additionalPrinterColumns');
  const selectableSame = schemaSame && identical('selectableFields');
  const out: InternalSpec = { versions };
  if (schemaSame && rec(first.schema)) out.validation = rec(first.schema);
  if (subresourcesSame && rec(first.subresources)) out.subresources = rec(first.subresources);
  if (columnsSame && arr(first.additionalPrinterColumns)) out.columns = arr(first.additionalPrinterColumns);
  if (selectableSame && arr(first.selectableFields)) out.selectableFields = arr(first.selectableFields);
  vs.forEach((v, i) => {
    const version = versions[i]!;
    if (!schemaSame && rec(v.schema)) version.schema = rec(v.schema);
    if (!subresourcesSame && rec(v.subresources)) version.subresources = rec(v.subresources);
    if (!columnsSame && arr(v.additionalPrinterColumns)) version.columns = arr(v.additionalPrinterColumns);
    if (!selectableSame && arr(v.selectableFields)) version.selectableFields = arr(v.selectableFields);
  });
  return out;
}

/** getSubresourcesForVersion: the spec's, unless any version has its own (then the first of that name's). */
export function subresourcesFor(spec: InternalSpec, name: string): Obj | undefined {
  const versions = spec.versions ?? [];
  if (!versions.some((v) => v.subresources)) return spec.subresources;
  return versions.find((v) => v.name === name)?.subresources;
}

export function hasAnyStatusEnabled(spec: InternalSpec): boolean {
  return [spec.subresources, ...(spec.versions ?? []).map((v) => v.subresources)].some(statusEnabled);
}

export function statusEnabled(subresources: Obj | undefined): boolean {
  return subresources?.status !== undefined && subresources.status !== null;
}

const T = 'apiextensions.';

/** %#v of the internal versions slice, which upstream prints as the value of `spec.versions` errors. */
export function goVersions(spec: InternalSpec): string {
  if (!spec.versions) return `[]${T}CustomResourceDefinitionVersion(nil)`;
  return `[]${T}CustomResourceDefinitionVersion{${spec.versions.map(goVersion).join(', ')}}`;
}

function goVersion(v: InternalVersion): string {
  const fields = [
    `Name:${goQuote(v.name)}`,
    `Served:${v.served}`,
    `Storage:${v.storage}`,
    `Deprecated:${v.deprecated}`,
    `DeprecationWarning:${goPointer('string', v.deprecationWarning)}`,
    `Schema:${goPointer(`${T}CustomResourceValidation`, v.schema)}`,
    `Subresources:${goPointer(`${T}CustomResourceSubresources`, v.subresources)}`,
    `AdditionalPrinterColumns:${goSlice('CustomResourceColumnDefinition', v.columns, goColumn)}`,
    `SelectableFields:${goSlice('SelectableField', v.selectableFields, goSelectable)}`,
  ];
  return `${T}CustomResourceDefinitionVersion{${fields.join(', ')}}`;
}

function goSlice(type: string, items: unknown[] | undefined, item: (o: Obj) => string): string {
  if (!items) return `[]${T}${type}(nil)`;
  return `[]${T}${type}{${items.map((x) => `${T}${type}{${item(rec(x) ?? {})}}`).join(', ')}}`;
}

function goColumn(c: Obj): string {
  const priority = typeof c.priority === 'number' ? c.priority : 0;
  return [
    `Name:${goQuote(c.name)}`,
    `Type:${goQuote(c.type)}`,
    `Format:${goQuote(c.format)}`,
    `Description:${goQuote(c.description)}`,
    `Priority:${priority}`,
    `JSONPath:${goQuote(c.jsonPath)}`,
  ].join(', ');
}

function goSelectable(s: Obj): string {
  return `JSONPath:${goQuote(s.jsonPath)}`;
}
