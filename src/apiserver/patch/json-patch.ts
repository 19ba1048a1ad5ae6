/** RFC 6902 JSON patch (application/json-patch+json) via fast-json-patch, on a deep copy of the document. */
import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { ApiError, badRequest } from '../../api/errors.js';
import { isPlainObject } from '../../api/meta.js';

/** Upstream's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Applies `ops` to a copy of `doc`. Errors are 400 BadRequest, worded like upstream's json-patch library. */
export function applyJsonPatch<T>(doc: T, ops: unknown): T {
  const operations = parseOperations(ops);
  const copy = structuredClone(doc);
  operations.forEach((op, index) => {
    try {
      fjp.applyOperation(copy, op, true, true, true, index);
    } catch (err) {
      throw describeFailure(err, op);
    }
  });
  return copy;
}

function parseOperations(ops: unknown): Operation[] {
  if (!Array.isArray(ops)) {
    throw badRequest(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError(
      413,
      'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  return ops.map((op, i) => {
    if (!isPlainObject(op))
      throw badRequest(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`);
    if (typeof op.op !== 'string' || !OPS.has(op.op)) throw badRequest(`Unexpected kind: ${String(op.op)}`);
    if (typeof op.path !== 'string') throw badRequest(`operation ${i}: missing path`);
    if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string') {
      throw badRequest(`operation ${i}: ${op.op} requires "from"`);
    }
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) {
      throw badRequest(`operation ${i}: ${op.op} requires "value"`);
    }
    return op as unknown as Operation;
  });
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'bool';
}

function describeFailure(err: unknown, op: Operation): Error {
  const name = err instanceof Error ? err.name : '';
  const from = 'from' in op ? op.from : '';
  switch (name) {
    case 'TEST_OPERATION_FAILED':
      return badRequest(`testing value ${op.path} failed: test failed`);
    case 'OPERATION_PATH_UNRESOLVABLE':
      return badRequest(
        `${op.op} operation does not apply: doc is missing path: "${op.path}": missing value`,
      );
    case 'OPERATION_PATH_CANNOT_ADD':
      return badRequest(`add operation does not apply: doc is missing path: "${op.path}": missing value`);
    case 'OPERATION_FROM_UNRESOLVABLE':
      return badRequest(
        `${op.op} operation does not apply: doc is missing from path: "${from}": missing value`,
      );
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return badRequest(`${op.op} operation does not apply: invalid array index in path: "${op.path}"`);
    default:
      return badRequest(
        `${op.op} operation does not apply: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
  }
}
