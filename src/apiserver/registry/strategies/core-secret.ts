/** Secret (core/v1): type default, stringData folded into data, key/type checks, `immutable`. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { isBase64 } from './core-configmap.js';
import { MAX_CONFIG_SIZE, child, isConfigMapKey, rec, validateImmutableData } from './core-common.js';

export const SERVICE_ACCOUNT_NAME_KEY = 'kubernetes.io/service-account.name';

/** Keys that must be present in `data` per secret type. */
const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

/** Defaulting plus upstream's conversion step: stringData overwrites data keys (base64) and is dropped. */
function defaultSecret(obj: KubeObject): void {
  if (typeof obj.type !== 'string' || obj.type === '') obj.type = 'Opaque';
  const stringData = rec(obj.stringData);
  if (stringData) {
    const data = child(obj, 'data');
    for (const [k, v] of Object.entries(stringData)) {
      data[k] = Buffer.from(typeof v === 'string' ? v : String(v), 'utf8').toString('base64');
    }
  }
  delete obj.stringData;
}

function validateSecret(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = rec(obj.data) ?? {};
  let total = 0;
  const decoded = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(data)) {
    const path = `data[${key}]`;
    for (const msg of isConfigMapKey(key)) errs.push(fieldErr.invalid(path, key, msg));
    if (typeof value !== 'string' || !isBase64(value)) {
      errs.push(fieldErr.invalid(path, '<secret contents redacted>', 'illegal base64 data'));
      continue;
    }
    const bytes = Buffer.from(value, 'base64');
    decoded.set(key, bytes);
    total += bytes.length;
  }
  if (total > MAX_CONFIG_SIZE) errs.push(fieldErr.tooLong('data', MAX_CONFIG_SIZE));

  const type = typeof obj.type === 'string' ? obj.type : '';
  switch (type) {
    case 'kubernetes.io/service-account-token':
      if (!obj.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_KEY]) {
        errs.push(fieldErr.required(`metadata.annotations[${SERVICE_ACCOUNT_NAME_KEY}]`));
      }
      break;
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) {
        errs.push(fieldErr.required('data[username]'), fieldErr.required('data[password]'));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!decoded.get('ssh-privatekey')?.length) errs.push(fieldErr.required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = REQUIRED_KEYS[type]?.[0] ?? '';
      const bytes = decoded.get(key);
      if (!(key in data)) {
        errs.push(fieldErr.required(`data[${key}]`));
      } else if (bytes) {
        const problem = jsonObjectError(bytes.toString('utf8'));
        if (problem) errs.push(fieldErr.invalid(`data[${key}]`, '<secret contents redacted>', problem));
      }
      break;
    }
    default:
      for (const key of REQUIRED_KEYS[type] ?? []) {
        if (!(key in data)) errs.push(fieldErr.required(`data[${key}]`));
      }
  }
  return errs;
}

function jsonObjectError(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    return rec(parsed) ? '' : 'json: cannot unmarshal into Go value of type map[string]interface {}';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export const secretStrategy: Strategy = {
  defaults: defaultSecret,
  validate: validateSecret,
  validateUpdate: (obj, old) => [
    ...validateImmutableField(obj.type, old.type, 'type'),
    ...validateImmutableData(obj, old, ['data']),
  ],
};
