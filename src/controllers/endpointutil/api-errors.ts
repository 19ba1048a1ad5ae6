import { isApiError } from '../../api/errors.js';

/** A create refused because the namespace is being deleted: it will keep failing, and need not be retried. */
export function namespaceTerminating(err: unknown): boolean {
  return (
    isApiError(err) && (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')
  );
}
