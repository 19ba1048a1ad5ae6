/** Test helpers: run a strategy in the order the REST handler does, ObjectMeta checks included. */
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { cloneJson } from '../../../api/meta.js';

function metaErrors(o: KubeObject): FieldError[] {
  return validateObjectMeta(o.metadata, { namespaced: true });
}

export function create(
  strategy: Strategy,
  o: KubeObject,
  uid = 'uid-1',
): { obj: KubeObject; errors: FieldError[] } {
  const copy = cloneJson(o);
  copy.metadata = { ...(copy.metadata ?? {}), uid };
  strategy.prepareForCreate?.(copy);
  strategy.defaults?.(copy);
  return { obj: copy, errors: [...metaErrors(copy), ...(strategy.validate?.(copy) ?? [])] };
}

export function update(
  strategy: Strategy,
  o: KubeObject,
  old: KubeObject,
): { obj: KubeObject; errors: FieldError[] } {
  const copy = cloneJson(o);
  strategy.prepareForUpdate?.(copy, old);
  strategy.defaults?.(copy);
  return {
    obj: copy,
    errors: [
      ...metaErrors(copy),
      ...validateObjectMetaUpdate(copy.metadata, old.metadata),
      ...(strategy.validate?.(copy) ?? []),
      ...(strategy.validateUpdate?.(copy, old) ?? []),
    ],
  };
}

/** `field: message` lines, as kubectl shows them. */
export function lines(errors: FieldError[]): string[] {
  return errors.map((e) => `${e.field}: ${e.message}`);
}

/** A Deployment `web` whose pod template has this spec (pod template validation paths). */
export function deploymentOf(podSpec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec },
    },
  };
}
