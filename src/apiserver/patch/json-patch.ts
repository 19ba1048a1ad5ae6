/** RFC 6902 JSON patch (application/json-patch+json) via fast-json-patch, on a deep copy of the document. */
import type * as FastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { lazyRequire } from '../../util/lazy-require.js';

// Loaded with the first JSON patch: most clients never send one.
const fjp = lazyRequire<typeof FastJsonPatch>('fast-json-patch');
import { ApiError, badRequest } from '../../api/errors.js';
import { isPlainObject, cloneJson } from '../../api/meta.js';

/** Upstream's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Upstream's JSONPatchMaxCopyBytes: what `copy` operations may add to a document, all together. */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

/** Applies `ops` to a copy of `doc`. Errors are 400 BadRequest (413 beyond the operation limit). */
export function applyJsonPatch<T>(doc: T, ops: unknown): T {
  const operations = parseOperations(ops);
  const copy = cloneJson(doc);
  // Each copy may double the document: a few dozen operations would otherwise need gigabytes.
  let copied = 0;
  operations.forEach((op, index) => {
    if (op.op === 'copy') {
      let value: unknown;
      try {
        value = fjp().getValueByPointer(copy, op.from);
      } catch {
        value = undefined;
      }
      copied += value === undefined ? 0 : (JSON.stringify(value)?.length ?? 0);
      if (copied > MAX_JSON_PATCH_COPY_BYTES)
        throw new ApiError(
          422,
          'Invalid',
          `Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}`,
        );
    }
    try {
      fjp().applyOperation(copy, op, true, true, true, index);
    } catch (err) {
      throw describeFailure(err, op, copy);
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

function lastToken(pointer: string): string {
  const token = pointer.slice(pointer.lastIndexOf('/') + 1);
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function exists(doc: unknown, pointer: string): boolean {
  try {
    return fjp().getValueByPointer(doc, pointer) !== undefined;
  } catch {
    return false;
  }
}

/** Messages as upstream's json-patch library (evanphx/json-patch v4) words them. */
function describeFailure(err: unknown, op: Operation, doc: unknown): Error {
  const name = err instanceof Error ? err.name : '';
  const from = 'from' in op ? op.from : '';
  switch (name) {
    case 'TEST_OPERATION_FAILED':
      return badRequest(`testing value ${op.path} failed: test failed`);
    case 'OPERATION_PATH_UNRESOLVABLE':
      if (op.op === 'remove') {
        return badRequest(
          `error in remove for path: '${op.path}': Unable to remove nonexistent key: ${lastToken(op.path)}: missing value`,
        );
      }
      if (op.op === 'test') return badRequest(`testing value ${op.path} failed: test failed`);
      return badRequest(
        `${op.op} operation does not apply: doc is missing ${exists(doc, op.path.slice(0, op.path.lastIndexOf('/'))) ? 'key' : 'path'}: ${op.path}: missing value`,
      );
    case 'OPERATION_PATH_CANNOT_ADD':
      return badRequest(`add operation does not apply: doc is missing path: "${op.path}": missing value`);
    case 'OPERATION_FROM_UNRESOLVABLE':
      if (op.op === 'move') {
        return badRequest(
          `error in move for path: '${lastToken(from)}': Unable to remove nonexistent key: ${lastToken(from)}: missing value`,
        );
      }
      return badRequest(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return badRequest(
        `error in ${op.op} for path: '${op.path}': Unable to access invalid index: ${lastToken(op.path)}: invalid index referenced`,
      );
    default:
      return badRequest(
        `${op.op} operation does not apply: ${err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)}`,
      );
  }
}
