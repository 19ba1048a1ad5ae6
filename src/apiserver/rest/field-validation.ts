import { badRequest } from '../../api/errors.js';
import type { GroupVersionKind, KubeObject } from '../../api/meta.js';
import type { ApiContext, RequestScope } from './context.js';

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
  if (mode === 'Ignore' || !ctx.ext.findUnknownFields) return;
  const gvk: GroupVersionKind = { group: s.served.group, version: s.served.version, kind: s.served.def.kind };
  const unknown = ctx.ext.findUnknownFields(body, gvk);
  if (unknown.length === 0) return;
  const messages = unknown.map((f) => `unknown field ${JSON.stringify(f)}`);
  if (mode === 'Strict') throw badRequest(`strict decoding error: ${messages.join(', ')}`);
  for (const m of messages) s.out.warn(m);
}
