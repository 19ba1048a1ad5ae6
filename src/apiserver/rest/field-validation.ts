import { badRequest } from '../../api/errors.js';
import type { GroupVersionKind, KubeObject } from '../../api/meta.js';
import type { ApiContext, RequestScope } from './context.js';
import { cloneJson } from '../../api/meta.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationMode(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}`);
}

/** Unknown fields: 400 under Strict (upstream's "strict decoding error" wording), warnings under Warn. */
export function checkUnknownFields(ctx: ApiContext, s: RequestScope, body: KubeObject): void {
  const mode = fieldValidationMode(s.query);
  if (mode === 'Ignore' || !ctx.ext.strictFieldErrors) return;
  const gvk: GroupVersionKind = { group: s.served.group, version: s.served.version, kind: s.served.def.kind };
  const messages = ctx.ext.strictFieldErrors(body, gvk);
  if (messages.length === 0) return;
  if (mode === 'Strict') {
    throw (
      ctx.ext.strictDecodingError?.(messages, gvk) ??
      badRequest(`strict decoding error: ${messages.join(', ')}`)
    );
  }
  for (const m of messages) s.out.warn(m);
}

/**
 * Types a full object body against its schema (as upstream's decoding into Go structs): wrong JSON types are
 * a 400, unknown fields are dropped and reported per fieldValidation. Mutates body.
 */
export function decodeTypedBody(ctx: ApiContext, s: RequestScope, body: KubeObject): void {
  if (!ctx.ext.decodeBody) {
    checkUnknownFields(ctx, s, body);
    return;
  }
  const gvk: GroupVersionKind = { group: s.served.group, version: s.served.version, kind: s.served.def.kind };
  const { warnings } = ctx.ext.decodeBody(body, gvk, fieldValidationMode(s.query));
  for (const w of warnings) s.out.warn(w);
}

/**
 * An apply configuration is partial, so nothing is pruned from it; it is still type-checked (on a copy) and
 * checked for unknown fields.
 */
export function checkApplyConfiguration(ctx: ApiContext, s: RequestScope, applied: KubeObject): void {
  if (ctx.ext.decodeBody) {
    const gvk: GroupVersionKind = {
      group: s.served.group,
      version: s.served.version,
      kind: s.served.def.kind,
    };
    ctx.ext.decodeBody(cloneJson(applied), gvk, 'Ignore');
  }
  checkUnknownFields(ctx, s, applied);
}
