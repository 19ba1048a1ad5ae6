import {
  qualifiedResource,
  type GroupResource,
  type Status,
  type StatusCause,
  type StatusDetails,
} from './meta.js';

/** Upstream `metav1.StatusReason` values (k8s.io/apimachinery/pkg/apis/meta/v1/types.go). */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Gone'
  | 'Expired'
  | 'Unauthorized'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable';

/** Field error cause types (k8s.io/apimachinery/pkg/util/validation/field/errors.go). */
export type CauseType =
  | 'FieldValueRequired'
  | 'FieldValueNotFound'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

export interface FieldError {
  type: CauseType;
  field: string;
  /** The full message, e.g. `Invalid value: "Foo": a lowercase RFC 1123 subdomain must …`. */
  message: string;
}

/** An error that is answered with a Kubernetes Status. Everything the API server returns as non-2xx is one. */
export class ApiError extends Error {
  readonly status: Status;
  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code,
    };
    if (details) this.status.details = details;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export function hasReason(err: unknown, reason: StatusReason): boolean {
  return isApiError(err) && err.status.reason === reason;
}

function detailsFor(gr: GroupResource, name: string): StatusDetails {
  const d: StatusDetails = { name, kind: gr.resource };
  if (gr.group) d.group = gr.group;
  return d;
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, detailsFor(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedResource(gr)} "${name}" already exists`,
    detailsFor(gr, name),
  );
}

export function conflict(gr: GroupResource, name: string, why: string, causes?: StatusCause[]): ApiError {
  const details = detailsFor(gr, name);
  if (causes) details.causes = causes;
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`,
    details,
  );
}

export const STALE_OBJECT_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

export function staleConflict(gr: GroupResource, name: string): ApiError {
  return conflict(gr, name, STALE_OBJECT_MESSAGE);
}

/** 422 Invalid: `Kind "name" is invalid: [cause1, cause2]`, one cause per field, as upstream's NewInvalid. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: e.message, field: e.field }));
  const summary = fieldErrorsSummary(errors);
  const details: StatusDetails = { name, kind, causes };
  if (group) details.group = group;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, details);
}

/** Field errors as one text, as upstream's ErrorList.ToAggregate prints them. */
export function fieldErrorsSummary(errors: FieldError[]): string {
  return aggregateMessage(errors.map((e) => `${e.field}: ${e.message}`));
}

/** Messages as Go's error aggregate prints them: repeats dropped, one alone as it is, several in brackets. */
export function aggregateMessage(messages: readonly string[]): string {
  const distinct = [...new Set(messages)];
  return distinct.length === 1 ? distinct[0]! : `[${distinct.join(', ')}]`;
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function methodNotAllowed(
  message = 'the server does not allow this method on the requested resource',
): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message);
}

export function notAcceptable(message: string): ApiError {
  return new ApiError(406, 'NotAcceptable', message);
}

export function unsupportedMediaType(accepted: string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function requestEntityTooLarge(limitBytes: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes}`);
}

export function gone(message: string): ApiError {
  return new ApiError(410, 'Gone', message);
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function tooOldResourceVersion(requested: number, oldest: number): ApiError {
  return expired(`too old resource version: ${requested} (${oldest})`);
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(gr: GroupResource, name: string, why: string): ApiError {
  const target = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
  return new ApiError(403, 'Forbidden', `${target} is forbidden: ${why}`, detailsFor(gr, name));
}

export function tooManyRequests(message: string, retryAfterSeconds?: number): ApiError {
  const details: StatusDetails = {};
  if (retryAfterSeconds !== undefined) details.retryAfterSeconds = retryAfterSeconds;
  return new ApiError(429, 'TooManyRequests', message, details);
}

export function internalError(err: unknown): ApiError {
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function serviceUnavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

/** Field error constructors: messages follow k8s.io/apimachinery/pkg/util/validation/field. */
export const fieldErr = {
  required(field: string, detail = ''): FieldError {
    return {
      type: 'FieldValueRequired',
      field,
      message: detail ? `Required value: ${detail}` : 'Required value',
    };
  },
  invalid(field: string, value: unknown, detail: string): FieldError {
    return {
      type: 'FieldValueInvalid',
      field,
      message: `Invalid value: ${formatValue(value)}${detail ? `: ${detail}` : ''}`,
    };
  },
  notSupported(field: string, value: unknown, supported: string[]): FieldError {
    const list = supported.map((s) => JSON.stringify(s)).join(', ');
    return {
      type: 'FieldValueNotSupported',
      field,
      message: `Unsupported value: ${formatValue(value)}${supported.length ? `: supported values: ${list}` : ''}`,
    };
  },
  notFound(field: string, value: unknown): FieldError {
    return { type: 'FieldValueNotFound', field, message: `Not found: ${formatValue(value)}` };
  },
  duplicate(field: string, value: unknown): FieldError {
    return { type: 'FieldValueDuplicate', field, message: `Duplicate value: ${formatValue(value)}` };
  },
  forbidden(field: string, detail: string): FieldError {
    return { type: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
  },
  tooMany(field: string, actual: number, max: number): FieldError {
    return {
      type: 'FieldValueTooMany',
      field,
      message: `Too many: ${actual}: must have at most ${max} items`,
    };
  },
  tooLong(field: string, maxLength: number): FieldError {
    return { type: 'FieldValueTooLong', field, message: `Too long: may not be more than ${maxLength} bytes` };
  },
  typeInvalid(field: string, value: unknown, detail: string): FieldError {
    return {
      type: 'FieldValueTypeInvalid',
      field,
      message: `Invalid value: ${formatValue(value)}: ${detail}`,
    };
  },
};

/** Go's %#v-ish rendering used by field errors: strings quoted, numbers bare, objects as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}
