import { hasReason } from '../../src/api/errors.js';
import { waitFor } from '../../src/util/wait.js';

/** Waits until `read` fails with NotFound (the object is gone); other errors keep it waiting. */
export function waitUntilGone(
  read: () => Promise<unknown>,
  message: string,
  timeoutMs?: number,
): Promise<true> {
  return waitFor(
    () =>
      read().then(
        () => false,
        (err: unknown) => hasReason(err, 'NotFound'),
      ),
    { message, ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
  ) as Promise<true>;
}
