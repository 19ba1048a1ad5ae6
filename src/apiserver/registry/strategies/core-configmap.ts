/** ConfigMap (core/v1): key format, data/binaryData overlap, total size, `immutable`. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../types.js';
import { MAX_CONFIG_SIZE, isConfigMapKey, rec, validateImmutableData } from './core-common.js';

function validateConfigMap(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = rec(obj.data) ?? {};
  const binary = rec(obj.binaryData) ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    const path = `data[${key}]`;
    for (const msg of isConfigMapKey(key)) errs.push(fieldErr.invalid(path, key, msg));
    if (key in binary) errs.push(fieldErr.invalid(path, key, 'duplicate of key present in binaryData'));
    if (typeof value !== 'string') errs.push(fieldErr.typeInvalid(path, value, 'must be a string'));
    else total += Buffer.byteLength(value);
  }
  for (const [key, value] of Object.entries(binary)) {
    const path = `binaryData[${key}]`;
    for (const msg of isConfigMapKey(key)) errs.push(fieldErr.invalid(path, key, msg));
    if (key in data) errs.push(fieldErr.invalid(path, key, 'duplicate of key present in data'));
    if (typeof value !== 'string' || !isBase64(value)) {
      errs.push(fieldErr.invalid(path, '<binary data>', 'illegal base64 data'));
    } else total += Buffer.from(value, 'base64').length;
  }
  if (total > MAX_CONFIG_SIZE) errs.push(fieldErr.tooLong('', MAX_CONFIG_SIZE));
  return errs;
}

/** Standard base64 with padding, as Go's encoding/json decodes []byte. */
export function isBase64(value: string): boolean {
  return value.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
}

export const configMapStrategy: Strategy = {
  validate: validateConfigMap,
  validateUpdate: (obj, old) => validateImmutableData(obj, old, ['data', 'binaryData']),
};
