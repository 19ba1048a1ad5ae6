/**
 * CertificateSigningRequest (certificates.k8s.io/v1), as upstream's csrStrategy and its status and approval
 * strategies: the requester's identity is recorded at create, the spec never changes after, approval conditions
 * change only through `approval` and the certificate only through `status`; upstream's validation.
 */
import { X509Certificate } from 'node:crypto';
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { checkCsrSignature, parseCsr, pemBlocks } from '../../../api/csr.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../../api/validation/names.js';
import { carryOverSystemMetadata } from '../../../api/validation/object-meta.js';
import { rfc3339 } from '../../../util/clock.js';
import type { UserInfo } from '../../config.js';
import type { PartialUpdate, Strategy } from '../types.js';
import { arr, clone, obj } from './util.js';

export const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';

/** Key usages a request may ask for (upstream KeyUsage values). */
export const KEY_USAGES = [
  'any',
  'cert sign',
  'client auth',
  'code signing',
  'content commitment',
  'crl sign',
  'data encipherment',
  'decipher only',
  'digital signature',
  'email protection',
  'encipher only',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'key agreement',
  'key encipherment',
  'microsoft sgc',
  'netscape sgc',
  'ocsp signing',
  's/mime',
  'server auth',
  'signing',
  'timestamping',
];

type Condition = { type?: unknown; status?: unknown; lastUpdateTime?: unknown; lastTransitionTime?: unknown };

const APPROVAL_TYPES = ['Approved', 'Denied'];
const TERMINAL_TYPES = ['Approved', 'Denied', 'Failed'];

const conditionsOf = (o: KubeObject | undefined): Condition[] =>
  arr(obj(o?.status)?.conditions) as Condition[];
const certificateOf = (o: KubeObject | undefined): string => {
  const c = obj(o?.status)?.certificate;
  return typeof c === 'string' ? c : '';
};

/** Decodes a `[]byte` field (base64 in JSON) to text; undefined when it is not base64. */
function bytesText(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value.replace(/\s/g, ''))) return undefined;
  return Buffer.from(value, 'base64').toString('latin1');
}

/** Upstream ValidateSignerName: `<domain with a dot>/<path>`. */
export function validateSignerName(field: string, signerName: unknown): FieldError[] {
  if (typeof signerName !== 'string' || signerName === '') return [fieldErr.required(field)];
  const segments = signerName.split('/');
  if (segments.length !== 2) {
    return [
      fieldErr.invalid(
        field,
        signerName,
        "must be a fully qualified domain and path of the form 'example.com/signer-name'",
      ),
    ];
  }
  const [domain, path] = segments as [string, string];
  const errs: FieldError[] = [];
  if (domain.length > 253) errs.push(fieldErr.tooLong(field, 253));
  const labels = domain.split('.');
  for (const label of labels) {
    const problems = isDNS1123Label(label);
    if (problems.length === 0) continue;
    for (const p of problems) errs.push(fieldErr.invalid(field, domain, `validating label "${label}": ${p}`));
    break;
  }
  if (labels.length < 2) {
    errs.push(
      fieldErr.invalid(field, domain, 'should be a domain with at least two segments separated by dots'),
    );
  }
  if (path.length > 63) errs.push(fieldErr.tooLong(field, 63));
  for (const p of isDNS1123Subdomain(path)) errs.push(fieldErr.invalid(field, path, p));
  return errs;
}

/** Upstream validateCertificate: `status.certificate` holds only well-formed CERTIFICATE PEM blocks. */
function certificateProblem(pem: string): string | undefined {
  let blocks = 0;
  for (const block of pemBlocks(pem)) {
    if (block.type !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found "${block.type}"`;
    try {
      new X509Certificate(block.der);
    } catch (err) {
      return `x509: malformed certificate: ${(err as Error).message}`;
    }
    blocks++;
  }
  return blocks === 0 ? 'must contain at least one CERTIFICATE PEM block' : undefined;
}

interface ValidationOptions {
  /** The stored object (updates): problems it already had are tolerated, as upstream. */
  old?: KubeObject;
  allowSettingApprovalConditions?: boolean;
  allowSettingCertificate?: boolean;
}

function validateCsr(o: KubeObject, opts: ValidationOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj(o.spec) ?? {};
  const old = opts.old;
  const oldSpec = obj(old?.spec) ?? {};
  const pem = bytesText(spec.request);
  if (pem === undefined) {
    errs.push(
      spec.request === undefined || spec.request === ''
        ? fieldErr.invalid('spec.request', '', 'PEM block type must be CERTIFICATE REQUEST')
        : fieldErr.invalid('spec.request', spec.request, 'illegal base64 data'),
    );
  } else {
    try {
      checkCsrSignature(parseCsr(pem));
    } catch (err) {
      errs.push(fieldErr.invalid('spec.request', '<certificate request>', (err as Error).message));
    }
  }
  const usages = arr(spec.usages);
  if (usages.length === 0) errs.push(fieldErr.required('spec.usages'));
  const oldUsages = arr(oldSpec.usages);
  if (!oldUsages.some((u) => !KEY_USAGES.includes(u as string))) {
    usages.forEach((u, i) => {
      if (!KEY_USAGES.includes(u as string))
        errs.push(fieldErr.notSupported(`spec.usages[${i}]`, u, KEY_USAGES));
    });
  }
  if (new Set(oldUsages).size === oldUsages.length) {
    const seen = new Set<unknown>();
    usages.forEach((u, i) => {
      if (seen.has(u)) errs.push(fieldErr.duplicate(`spec.usages[${i}]`, u));
      seen.add(u);
    });
  }
  if (spec.signerName === LEGACY_UNKNOWN_SIGNER && oldSpec.signerName !== LEGACY_UNKNOWN_SIGNER) {
    errs.push(
      fieldErr.invalid(
        'spec.signerName',
        spec.signerName,
        'the legacy signerName is not allowed via this API version',
      ),
    );
  } else if (spec.signerName !== LEGACY_UNKNOWN_SIGNER) {
    errs.push(...validateSignerName('spec.signerName', spec.signerName));
  }
  const expiration = spec.expirationSeconds;
  if (typeof expiration === 'number' && expiration < 600) {
    errs.push(
      fieldErr.invalid(
        'spec.expirationSeconds',
        expiration,
        'may not specify a duration less than 600 seconds (10 minutes)',
      ),
    );
  }
  errs.push(...validateConditions(o, old));
  const certificate = certificateOf(o);
  const oldCertificate = certificateOf(old);
  const certificateUnchanged = old !== undefined && certificate === oldCertificate;
  const oldCertificateBad =
    old !== undefined && oldCertificate !== '' && certificateProblemOf(oldCertificate) !== undefined;
  if (certificate !== '' && !certificateUnchanged && !oldCertificateBad) {
    const problem = certificateProblemOf(certificate);
    if (problem) errs.push(fieldErr.invalid('status.certificate', '<certificate data>', problem));
  }
  if (old) errs.push(...validateTransitions(o, old, opts));
  return errs;
}

function certificateProblemOf(base64: string): string | undefined {
  const pem = bytesText(base64);
  return pem === undefined ? 'illegal base64 data' : certificateProblem(pem);
}

function validateConditions(o: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const oldConditions = conditionsOf(old);
  const oldTypes = oldConditions.map((c) => c.type);
  const allowBoth = oldTypes.includes('Approved') && oldTypes.includes('Denied');
  const allowDuplicates = new Set(oldTypes).size !== oldTypes.length;
  const allowEmptyType = oldTypes.some((t) => !t);
  const seen = new Set<unknown>();
  let approved = false;
  let denied = false;
  conditionsOf(o).forEach((c, i) => {
    const path = `status.conditions[${i}]`;
    if (!c.type && !allowEmptyType) errs.push(fieldErr.required(`${path}.type`));
    const allowed = TERMINAL_TYPES.includes(c.type as string) ? ['True'] : ['False', 'True', 'Unknown'];
    if (!c.status) errs.push(fieldErr.required(`${path}.status`));
    else if (!allowed.includes(c.status as string))
      errs.push(fieldErr.notSupported(`${path}.status`, c.status, allowed));
    if (!allowBoth) {
      if (c.type === 'Approved') approved = true;
      if (c.type === 'Denied') denied = true;
      if ((c.type === 'Approved' && denied) || (c.type === 'Denied' && approved)) {
        errs.push(
          fieldErr.invalid(`${path}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'),
        );
      }
    }
    if (!allowDuplicates) {
      if (seen.has(c.type)) errs.push(fieldErr.duplicate(`${path}.type`, c.type));
      seen.add(c.type);
    }
  });
  return errs;
}

function validateTransitions(o: KubeObject, old: KubeObject, opts: ValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const ofType = (x: KubeObject, t: string): Condition[] => conditionsOf(x).filter((c) => c.type === t);
  for (const t of TERMINAL_TYPES) {
    if (ofType(o, t).length < ofType(old, t).length) {
      errs.push(fieldErr.forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
    }
  }
  if (!opts.allowSettingApprovalConditions) {
    for (const t of APPROVAL_TYPES) {
      const before = ofType(old, t);
      const after = ofType(o, t);
      if (after.length > before.length) {
        errs.push(fieldErr.forbidden('status.conditions', `updates may not add a condition of type "${t}"`));
      } else if (after.length === before.length && JSON.stringify(after) !== JSON.stringify(before)) {
        errs.push(
          fieldErr.forbidden('status.conditions', `updates may not modify a condition of type "${t}"`),
        );
      }
    }
  }
  if (certificateOf(o) !== certificateOf(old)) {
    if (!opts.allowSettingCertificate) {
      errs.push(fieldErr.forbidden('status.certificate', 'updates may not set certificate content'));
    } else if (certificateOf(old) !== '') {
      errs.push(
        fieldErr.forbidden('status.certificate', 'updates may not modify existing certificate content'),
      );
    }
  }
  return errs;
}

/** A condition's status defaults to True (upstream v1 defaulting). */
function defaultConditions(o: KubeObject): void {
  for (const c of conditionsOf(o)) if (c.status === undefined || c.status === '') c.status = 'True';
}

/** Upstream populateConditionTimestamps: a lastTransitionTime survives while type and status stay. */
function populateConditionTimestamps(o: KubeObject, old: KubeObject): void {
  const time = rfc3339(Date.now());
  for (const c of conditionsOf(o)) {
    if (!c.lastUpdateTime) c.lastUpdateTime = time;
    if (!c.lastTransitionTime) {
      const before = conditionsOf(old).find(
        (p) => p.type === c.type && p.status === c.status && p.lastTransitionTime,
      );
      c.lastTransitionTime = before?.lastTransitionTime ?? time;
    }
  }
}

/** Everything but `status` from the stored object (status and approval writes change nothing else). */
function keepAllButStatus(o: KubeObject, old: KubeObject): void {
  const status = o.status;
  for (const key of Object.keys(o)) delete o[key];
  Object.assign(o, clone(old));
  if (status === undefined) delete o.status;
  else o.status = status;
}

const approval: PartialUpdate = {
  prepareForUpdate(o, old) {
    const conditions = obj(o.status)?.conditions;
    keepAllButStatus(o, old);
    const status = clone(obj(old.status) ?? {});
    if (conditions === undefined) delete status.conditions;
    else status.conditions = conditions;
    o.status = status;
    defaultConditions(o);
    populateConditionTimestamps(o, old);
  },
  validateUpdate: (o, old) => validateCsr(o, { old, allowSettingApprovalConditions: true }),
};

export const certificateSigningRequestStrategy: Strategy = {
  prepareForCreate(o) {
    const spec = obj(o.spec);
    if (spec) for (const key of ['username', 'uid', 'groups', 'extra']) delete spec[key];
    // Requests are never created approved or issued.
    o.status = {};
  },
  setRequester(o, user: UserInfo) {
    const spec = obj(o.spec) ?? (o.spec = {});
    spec.username = user.username;
    if (user.uid) spec.uid = user.uid;
    spec.groups = [...user.groups];
    if (user.extra && Object.keys(user.extra).length > 0) spec.extra = clone(user.extra);
  },
  prepareForUpdate(o, old) {
    carryOverSystemMetadata(o.metadata ?? (o.metadata = {}), old.metadata);
    o.spec = clone(old.spec);
    if (old.status === undefined) delete o.status;
    else o.status = clone(old.status);
  },
  prepareForStatusUpdate(o, old) {
    keepAllButStatus(o, old);
    defaultConditions(o);
    const status = obj(o.status) ?? (o.status = {});
    // The approval conditions stay as they were: approving is the approval subresource's business.
    const keep = conditionsOf(old).filter((c) => APPROVAL_TYPES.includes(c.type as string));
    const others = conditionsOf(o).filter((c) => !APPROVAL_TYPES.includes(c.type as string));
    status.conditions = [...clone(keep), ...others];
    if ((status.conditions as unknown[]).length === 0 && obj(old.status)?.conditions === undefined) {
      delete status.conditions;
    }
    populateConditionTimestamps(o, old);
  },
  validatesStatus: true,
  validate: (o) => validateCsr(o),
  validateUpdate: (o, old) => validateCsr(o, { old, allowSettingCertificate: true }),
  partialUpdates: { approval },
};
