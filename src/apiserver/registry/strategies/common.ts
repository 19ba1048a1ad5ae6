/** Strategy building blocks shared by all kinds: metadata validation and status handling. */
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { nameIsDNSSubdomain, type NameValidator } from '../../../api/validation/names.js';
import {
  carryOverSystemMetadata,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { clone } from './util.js';

export interface KindOptions {
  namespaced: boolean;
  nameValidator?: NameValidator;
  /** Status a freshly created object starts with (upstream zero values that JSON shows), or none. */
  initialStatus?: () => Record<string, unknown>;
}

export function metaErrors(o: KubeObject, opts: KindOptions): FieldError[] {
  return validateObjectMeta(o.metadata, {
    namespaced: opts.namespaced,
    nameValidator: opts.nameValidator ?? nameIsDNSSubdomain,
  });
}

export function metaUpdateErrors(o: KubeObject, old: KubeObject): FieldError[] {
  return validateObjectMetaUpdate(o.metadata, old.metadata);
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
 * A strategy from per-kind spec hooks; metadata checks and status handling are added here so every kind
 * behaves alike. `validate` returns metadata + spec errors; `validateUpdate` metadata-update + transition errors.
 */
export function makeStrategy(
  opts: KindOptions,
  hooks: {
    defaults?: (o: KubeObject) => void;
    validateSpec?: (o: KubeObject) => FieldError[];
    validateSpecUpdate?: (o: KubeObject, old: KubeObject) => FieldError[];
    prepareForCreate?: (o: KubeObject) => void;
    prepareForUpdate?: (o: KubeObject, old: KubeObject) => void;
    fieldSet?: (o: KubeObject) => Record<string, string>;
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
      return [...metaErrors(o, opts), ...(hooks.validateSpec?.(o) ?? [])];
    },
    validateUpdate(o, old) {
      return [...metaUpdateErrors(o, old), ...(hooks.validateSpecUpdate?.(o, old) ?? [])];
    },
  };
  if (hooks.defaults) strategy.defaults = hooks.defaults;
  if (hooks.fieldSet) strategy.fieldSet = hooks.fieldSet;
  return strategy;
}
