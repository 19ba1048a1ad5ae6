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
  reportUnknownFields(ctx, s, mode, ctx.ext.strictFieldErrors(body, gvkOf(s)));
}

function gvkOf(s: RequestScope): GroupVersionKind {
  return { group: s.served.group, version: s.served.version, kind: s.served.def.kind };
}

/** Prunes a custom resource body by its CRD's schema; what was pruned is reported as unknown fields. */
function decodeCustomBody(ctx: ApiContext, s: RequestScope, body: KubeObject, defaults = true): void {
  const pruned = s.served.def.decodeBody!(body, s.served.version, { defaults });
  const mode = fieldValidationMode(s.query);
  if (mode !== 'Ignore')
    reportUnknownFields(
      ctx,
      s,
      mode,
      pruned.map((p) => `unknown field "${p}"`),
    );
}

function reportUnknownFields(
  ctx: ApiContext,
  s: RequestScope,
  mode: FieldValidation,
  messages: string[],
): void {
  if (messages.length === 0) return;
  const gvk = gvkOf(s);
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
  if (s.served.def.decodeBody) return decodeCustomBody(ctx, s, body);
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
  // Pruned in place (what the schema does not know is never merged, nor owned); defaults come later, on the
  // merged object, so that appliers do not own them.
  if (s.served.def.decodeBody) return decodeCustomBody(ctx, s, applied, false);
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
