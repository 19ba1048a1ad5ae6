/** CRD naming rules: the object's name, spec.names / status.acceptedNames, the API approval annotation. */
import { fieldErr, type FieldError } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import { isDNS1035Label } from '../../api/validation/names.js';

type Obj = Record<string, unknown>;

const rec = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** IsDNS1035Label's messages joined as upstream reports them ('' when valid). */
export const dns1035 = (v: string): string => isDNS1035Label(v).join(',');

const NAME_MESSAGE = 'must be spec.names.plural+"."+spec.group';
const APPROVAL = 'api-approved.kubernetes.io';
const APPROVAL_PR = 'see https://github.com/kubernetes/enhancements/pull/1111';

/** The name rule of upstream's name validator (its DNS subdomain part is the generic ObjectMeta check). */
export function validateName(obj: KubeObject, spec: Obj): FieldError[] {
  const required = `${str(rec(spec.names)?.plural)}.${str(spec.group)}`;
  const errs: FieldError[] = [];
  const { name, generateName } = obj.metadata ?? {};
  if (generateName && generateName !== required) {
    errs.push(fieldErr.invalid('metadata.generateName', generateName, NAME_MESSAGE));
  }
  if (name && name !== required) errs.push(fieldErr.invalid('metadata.name', name, NAME_MESSAGE));
  return errs;
}

/** ValidateCustomResourceDefinitionNames, for spec.names and status.acceptedNames. */
export function validateNames(names: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['plural', 'singular']) {
    const v = str(names[key]);
    if (v !== '' && dns1035(v)) errs.push(fieldErr.invalid(`${path}.${key}`, v, dns1035(v)));
  }
  for (const key of ['kind', 'listKind']) {
    const v = str(names[key]);
    const msg = dns1035(v.toLowerCase());
    if (v !== '' && msg) {
      errs.push(
        fieldErr.invalid(`${path}.${key}`, v, `may have mixed case, but should otherwise match: ${msg}`),
      );
    }
  }
  const listed = (key: string): string[] =>
    Array.isArray(names[key]) ? (names[key] as unknown[]).map(str) : [];
  listed('shortNames').forEach((s, i) => {
    if (dns1035(s)) errs.push(fieldErr.invalid(`${path}.shortNames[${i}]`, s, dns1035(s)));
  });
  const kind = str(names.kind);
  if (kind !== '' && kind === names.listKind) {
    errs.push(fieldErr.invalid(`${path}.listKind`, kind, 'kind and listKind may not be the same'));
  }
  listed('categories').forEach((c, i) => {
    if (dns1035(c)) errs.push(fieldErr.invalid(`${path}.categories[${i}]`, c, dns1035(c)));
  });
  return errs;
}

/** Groups under k8s.io and kubernetes.io need the API approval annotation (validateAPIApproval). */
export function validateApproval(obj: KubeObject, group: string): FieldError[] {
  const isProtected = ['k8s.io', 'kubernetes.io'].some((g) => group === g || group.endsWith(`.${g}`));
  if (!isProtected) return [];
  const annotation = obj.metadata?.annotations?.[APPROVAL] ?? '';
  const path = `metadata.annotations[${APPROVAL}]`;
  if (annotation === '') {
    return [
      fieldErr.required(path, `protected groups must have approval annotation "${APPROVAL}", ${APPROVAL_PR}`),
    ];
  }
  if (annotation.startsWith('unapproved')) return [];
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]+/.test(annotation)) return [];
  return [
    fieldErr.invalid(
      path,
      annotation,
      `protected groups must have approval annotation "${APPROVAL}" with either a URL or a reason starting with "unapproved", ${APPROVAL_PR}`,
    ),
  ];
}
