/** Strategy building blocks shared by all kinds: status handling and the hook wiring. */
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { carryOverSystemMetadata } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { clone } from './util.js';

export interface KindOptions {
  /** Status a freshly created object starts with (upstream zero values that JSON shows), or none. */
  initialStatus?: () => Record<string, unknown>;
}

/** Status is server-owned: reset on create, carried over on update (changes go through /status). */
export function statusHandling(opts: KindOptions): Pick<Strategy, 'prepareForCreate' | 'prepareForUpdate'> {
  return {
    prepareForCreate(o) {
      if (opts.initialStatus) o.status = opts.initialStatus();
      else delete o.status;
    },
    prepareForUpdate(o, old) {
      if (old.status === undefined) delete o.status;
      else o.status = clone(old.status);
    },
  };
}

/**
 * A strategy from per-kind spec hooks, with status handling added so every kind behaves alike. ObjectMeta
 * (validateObjectMeta / validateObjectMetaUpdate) is checked by the REST handler, not here; kinds whose
 * names follow other rules are listed in workloadNameValidators.
 */
export function makeStrategy(
  opts: KindOptions,
  hooks: {
    defaults?: (o: KubeObject) => void;
    validateSpec?: (o: KubeObject) => FieldError[];
    validateSpecUpdate?: (o: KubeObject, old: KubeObject) => FieldError[];
    prepareForCreate?: (o: KubeObject) => void;
    prepareForUpdate?: (o: KubeObject, old: KubeObject) => void;
  },
): Strategy {
  const status = statusHandling(opts);
  const strategy: Strategy = {
    prepareForCreate(o) {
      status.prepareForCreate?.(o);
      hooks.prepareForCreate?.(o);
    },
    prepareForUpdate(o, old) {
      carryOverSystemMetadata(o.metadata ?? (o.metadata = {}), old.metadata);
      status.prepareForUpdate?.(o, old);
      hooks.prepareForUpdate?.(o, old);
    },
    validate(o) {
      return hooks.validateSpec?.(o) ?? [];
    },
    validateUpdate(o, old) {
      return hooks.validateSpecUpdate?.(o, old) ?? [];
    },
  };
  if (hooks.defaults) strategy.defaults = hooks.defaults;
  return strategy;
}
