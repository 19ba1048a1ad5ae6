/** Namespace (core/v1): `kubernetes` finalizer and phase Active on create; spec and status kept on update. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { isQualifiedName } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { child, clone, list, rec, str } from './core-common.js';

export const FINALIZER_KUBERNETES = 'kubernetes';
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function defaultNamespace(obj: KubeObject): void {
  // Upstream keeps the immutable name label in sync with the name.
  const name = obj.metadata?.name;
  if (!name) return;
  obj.metadata = obj.metadata ?? {};
  obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name };
}

function prepareNamespaceCreate(obj: KubeObject): void {
  obj.status = { phase: 'Active' };
  const spec = child(obj, 'spec');
  const finalizers = list(spec.finalizers).map(String);
  if (!finalizers.includes(FINALIZER_KUBERNETES)) finalizers.push(FINALIZER_KUBERNETES);
  spec.finalizers = finalizers;
}

function prepareNamespaceUpdate(obj: KubeObject, old: KubeObject): void {
  // spec.finalizers change only through the finalize subresource.
  const spec = child(obj, 'spec');
  const oldFinalizers = rec(old.spec)?.finalizers;
  if (oldFinalizers === undefined) delete spec.finalizers;
  else spec.finalizers = clone(oldFinalizers);
  if (old.status === undefined) delete obj.status;
  else obj.status = clone(old.status);
}

/** Standard (`kubernetes`) or fully qualified (`example.com/name`). */
export function validateFinalizerName(value: string, path: string): FieldError[] {
  const errs = isQualifiedName(value).map((m) => fieldErr.invalid(path, value, m));
  if (errs.length === 0 && !value.includes('/') && value !== FINALIZER_KUBERNETES) {
    errs.push(
      fieldErr.invalid(path, value, 'name is neither a standard finalizer name nor is it fully qualified'),
    );
  }
  return errs;
}

function validateNamespace(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  list(rec(obj.spec)?.finalizers).forEach((f, i) => {
    errs.push(...validateFinalizerName(str(f), `spec.finalizers[${i}]`));
  });
  return errs;
}

export const namespaceStrategy: Strategy = {
  defaults: defaultNamespace,
  prepareForCreate: prepareNamespaceCreate,
  prepareForUpdate: prepareNamespaceUpdate,
  validate: validateNamespace,
};
