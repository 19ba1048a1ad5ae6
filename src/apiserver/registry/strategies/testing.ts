/** Test helpers: run a strategy the way the REST handler does. */
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../types.js';

export function create(
  strategy: Strategy,
  o: KubeObject,
  uid = 'uid-1',
): { obj: KubeObject; errors: FieldError[] } {
  const copy = structuredClone(o);
  strategy.defaults?.(copy);
  copy.metadata = { uid, ...(copy.metadata ?? {}) };
  strategy.prepareForCreate?.(copy);
  return { obj: copy, errors: strategy.validate?.(copy) ?? [] };
}

export function update(
  strategy: Strategy,
  o: KubeObject,
  old: KubeObject,
): { obj: KubeObject; errors: FieldError[] } {
  const copy = structuredClone(o);
  strategy.defaults?.(copy);
  strategy.prepareForUpdate?.(copy, old);
  return {
    obj: copy,
    errors: [...(strategy.validate?.(copy) ?? []), ...(strategy.validateUpdate?.(copy, old) ?? [])],
  };
}

/** `field: message` lines, as kubectl shows them. */
export function lines(errors: FieldError[]): string[] {
  return errors.map((e) => `${e.field}: ${e.message}`);
}
