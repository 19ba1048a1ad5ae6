/** Typed runtime errors, so callers test with guards instead of message text. */
export class RuntimeNotFoundError extends Error {
  readonly code = 'NotFound';
  constructor(kind: 'sandbox' | 'container', id: string) {
    super(`${kind} ${id} not found`);
    this.name = 'RuntimeNotFoundError';
  }
}

export class RuntimeStateError extends Error {
  readonly code = 'FailedPrecondition';
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeStateError';
  }
}

export const isNotFound = (err: unknown): err is RuntimeNotFoundError => err instanceof RuntimeNotFoundError;
