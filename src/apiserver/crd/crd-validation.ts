/**
 * Validation of a CustomResourceDefinition itself (upstream's ValidateCustomResourceDefinition and
 * ValidateCustomResourceDefinitionUpdate, Kubernetes 1.32). The OpenAPI schemas' own rules are not checked
 * here: they go to the `validateSchema` hook. ObjectMeta is checked by the REST handler.
 */
import { fieldErr, type FieldError } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import { isDNS1123Subdomain } from '../../api/validation/names.js';
import { validateImmutableField } from '../../api/validation/object-meta.js';
import { validateConversion } from './conversion-validation.js';
import { goInvalid } from './go-print.js';
import {
  goVersions,
  hasAnyStatusEnabled,
  internalSpec,
  statusEnabled,
  subresourcesFor,
  type InternalSpec,
} from './internal-view.js';
import { dns1035, validateApproval, validateName, validateNames } from './names-validation.js';
import { validatePrinterColumn } from './printer-columns.js';
import {
  schemaHasDefault,
  validateDeprecationWarning,
  validateSelectableFields,
  validateStoredVersions,
  validateSubresources,
} from './version-validation.js';

type Obj = Record<string, unknown>;

/**
 * Checks of one `openAPIV3Schema` (structure, types, defaults, CEL rules…), reported under `fieldPath`, e.g.
 * `spec.versions[1].schema.openAPIV3Schema` or `spec.validation.openAPIV3Schema` (a schema all versions
 * share). `statusEnabled`: the version serves /status, which restricts the schema's root.
 */
export type SchemaValidator = (
  schema: unknown,
  fieldPath: string,
  context: { statusEnabled: boolean },
) => FieldError[];

export interface CrdValidationOptions {
  validateSchema?: SchemaValidator;
}

const rec = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const SCOPES = ['Cluster', 'Namespaced'];

export function validateCrd(obj: KubeObject, opts: CrdValidationOptions = {}): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const status = rec(obj.status) ?? {};
  return [
    ...validateName(obj, spec),
    ...validateSpec(spec, opts),
    ...validateNames(rec(status.acceptedNames) ?? {}, 'status.acceptedNames'),
    ...validateStoredVersions(status.storedVersions, spec),
    ...validateApproval(obj, str(spec.group)),
    ...(spec.preserveUnknownFields === true
      ? [
          fieldErr.invalid(
            'spec.preserveUnknownFields',
            true,
            'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
          ),
        ]
      : []),
  ];
}

/** Rules only an update has: identity fields frozen, kind and scope too once the CRD is established. */
export function validateCrdUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const oldSpec = rec(old.spec) ?? {};
  const names = rec(spec.names) ?? {};
  const oldNames = rec(oldSpec.names) ?? {};
  const errs: FieldError[] = [];
  if (isEstablished(old)) {
    errs.push(...validateImmutableField(str(spec.scope), str(oldSpec.scope), 'spec.scope'));
    errs.push(...validateImmutableField(str(names.kind), str(oldNames.kind), 'spec.names.kind'));
  }
  errs.push(...validateImmutableField(str(spec.group), str(oldSpec.group), 'spec.group'));
  errs.push(...validateImmutableField(str(names.plural), str(oldNames.plural), 'spec.names.plural'));
  return errs;
}

function isEstablished(crd: KubeObject): boolean {
  const conditions = rec(crd.status)?.conditions;
  if (!Array.isArray(conditions)) return false;
  const c = (conditions as unknown[]).map(rec).find((x) => x?.type === 'Established');
  return c?.status === 'True';
}

function validateSpec(spec: Obj, opts: CrdValidationOptions): FieldError[] {
  const errs = validateGroupAndScope(spec);
  const internal = internalSpec(spec);
  if (!rec(internal.validation)?.openAPIV3Schema) {
    (internal.versions ?? []).forEach((v, i) => {
      if (!v.schema?.openAPIV3Schema) {
        errs.push(fieldErr.required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
      }
    });
  }
  if (spec.preserveUnknownFields === true && schemaHasDefault(internal)) {
    const detail = 'must be false in order to use defaults in the schema';
    errs.push(fieldErr.invalid('spec.preserveUnknownFields', true, detail));
  }
  errs.push(...validateVersions(internal, opts));
  const names = rec(spec.names) ?? {};
  for (const key of ['plural', 'singular', 'kind', 'listKind']) {
    if (str(names[key]) === '') errs.push(fieldErr.required(`spec.names.${key}`));
  }
  errs.push(...validateNames(names, 'spec.names'));
  const shared: VersionParts = { ...internal, schema: internal.validation?.openAPIV3Schema };
  const schemaSet = internal.validation !== undefined;
  errs.push(...validateParts(shared, 'spec', hasAnyStatusEnabled(internal), schemaSet, opts));
  errs.push(...validateConversion(spec));
  return errs;
}

function validateGroupAndScope(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const group = str(spec.group);
  const groupErrs = isDNS1123Subdomain(group);
  if (group === '') errs.push(fieldErr.required('spec.group'));
  else if (groupErrs.length > 0) errs.push(fieldErr.invalid('spec.group', group, groupErrs.join(',')));
  else if (group.split('.').length < 2) {
    errs.push(fieldErr.invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  const scope = str(spec.scope);
  if (scope === '') errs.push(fieldErr.required('spec.scope'));
  else if (!SCOPES.includes(scope)) errs.push(fieldErr.notSupported('spec.scope', scope, SCOPES));
  return errs;
}

/** What a version may set for itself, or the spec for all versions alike. */
interface VersionParts {
  schema?: unknown;
  subresources?: Obj | undefined;
  columns?: unknown[] | undefined;
  selectableFields?: unknown[] | undefined;
}

/**
 * Schema (through the hook), subresources, printer columns and selectable fields under `prefix` (`spec` or
 * `spec.versions[i]`). Selectable fields need a schema of their own level (`schemaSet`).
 */
function validateParts(
  p: VersionParts,
  prefix: string,
  statusEnabled: boolean,
  schemaSet: boolean,
  opts: CrdValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const topLevel = prefix === 'spec';
  if (p.schema !== undefined && p.schema !== null && opts.validateSchema) {
    const path = topLevel ? 'spec.validation.openAPIV3Schema' : `${prefix}.schema.openAPIV3Schema`;
    errs.push(...opts.validateSchema(p.schema, path, { statusEnabled }));
  }
  if (p.subresources) errs.push(...validateSubresources(p.subresources, `${prefix}.subresources`));
  (p.columns ?? []).forEach((c, j) => {
    errs.push(...validatePrinterColumn(c, `${prefix}.additionalPrinterColumns[${j}]`));
  });
  if (p.selectableFields && p.selectableFields.length > 0) {
    const path = `${prefix}.selectableFields`;
    if (schemaSet) errs.push(...validateSelectableFields(p.selectableFields, path));
    else {
      // Upstream's messages, verbatim.
      const detail = topLevel
        ? 'selectableFields may only be set when validations.schema is included'
        : 'selectableFields may only be set when version.schema.openAPIV3Schema is not included';
      errs.push(fieldErr.invalid(path, '', detail));
    }
  }
  return errs;
}

function validateVersions(spec: InternalSpec, opts: CrdValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const versions = spec.versions ?? [];
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const path = `spec.versions[${i}]`;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const nameErrs = dns1035(v.name);
    if (nameErrs) errs.push(fieldErr.invalid(`${path}.name`, v.name, nameErrs));
    for (const msg of validateDeprecationWarning(v.deprecated, v.deprecationWarning)) {
      errs.push(fieldErr.invalid(`${path}.deprecationWarning`, v.deprecationWarning, msg));
    }
    const schema = v.schema?.openAPIV3Schema;
    const status = statusEnabled(subresourcesFor(spec, v.name));
    const schemaSet = schema !== undefined && schema !== null;
    errs.push(...validateParts({ ...v, schema }, path, status, schemaSet, opts));
  });
  if (!unique) errs.push(goInvalid('spec.versions', goVersions(spec), 'must contain unique version names'));
  if (versions.filter((v) => v.storage).length !== 1) {
    errs.push(
      goInvalid('spec.versions', goVersions(spec), 'must have exactly one version marked as storage version'),
    );
  }
  // The internal spec.version mirrors versions[0].name, so upstream reports a bad first name twice.
  const first = versions[0]?.name ?? '';
  if (first !== '' && dns1035(first)) errs.push(fieldErr.invalid('spec.version', first, dns1035(first)));
  return errs;
}
