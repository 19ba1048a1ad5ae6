/** ServiceAccount (core/v1): nothing beyond metadata; secret references keep only their name, as upstream. */
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../types.js';
import { list, rec } from './core-common.js';

function cleanSecretReferences(obj: KubeObject): void {
  if (!Array.isArray(obj.secrets)) return;
  obj.secrets = list(obj.secrets).map((ref) => ({ name: rec(ref)?.name ?? '' }));
}

export const serviceAccountStrategy: Strategy = {
  prepareForCreate: cleanSecretReferences,
  prepareForUpdate: cleanSecretReferences,
};
