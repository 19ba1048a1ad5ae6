import { convertFieldLabel, fieldsOf } from '../registry/fieldsets.js';
import { resourceKey } from '../registry/index.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDef } from '../registry/types.js';
import type { ApiContext } from './context.js';

export type ObjectPredicate = (obj: KubeObject) => boolean;

/** Builds the label+field predicate of a list or watch request; undefined when it selects everything. */
export function selectionPredicate(
  ctx: ApiContext,
  def: ResourceDef,
  query: URLSearchParams,
): ObjectPredicate | undefined {
  const labelText = query.get('labelSelector') ?? '';
  const fieldText = query.get('fieldSelector') ?? '';
  const labels = labelText.trim() ? ctx.ext.parseLabelSelector(labelText) : undefined;
  const fields = fieldText.trim() ? ctx.ext.parseFieldSelector(fieldText) : undefined;
  // Unsupported field names get upstream's 400 (`field label not supported: …`).
  for (const f of fields?.fields ?? []) convertFieldLabel(resourceKey(def), f);
  if (!labels && !fields) return undefined;
  return (obj) =>
    (!labels || labels.matches(obj.metadata?.labels ?? {})) &&
    (!fields || fields.matches(fieldsOf(resourceKey(def), obj)));
}

/**
 * A test of an object's stored bytes that every object the request's selection matches passes, for lists to skip
 * decoding the rest: the stored form is the object's `JSON.stringify`, so a required label pair occurs in it as
 * `"key":"value"`, and a pod required on a node as `"nodeName":"NODE"`. A kubelet's list of its node's pods then
 * decodes its own pods rather than every pod in the cluster. The predicate still decides (the text may occur
 * elsewhere in an object). Undefined when the selection requires no such text.
 */
export function selectionPrefilter(
  ctx: ApiContext,
  def: ResourceDef,
  query: URLSearchParams,
): ((value: Buffer) => boolean) | undefined {
  const needles: string[] = [];
  const labelText = (query.get('labelSelector') ?? '').trim();
  for (const r of labelText ? (ctx.ext.parseLabelSelector(labelText).requirements ?? []) : []) {
    const single =
      r.operator === '=' || r.operator === '==' || (r.operator === 'in' && r.values.length === 1);
    if (single) needles.push(`${JSON.stringify(r.key)}:${JSON.stringify(r.values[0])}`);
  }
  const fieldText = (query.get('fieldSelector') ?? '').trim();
  if (fieldText && resourceKey(def) === 'pods') {
    const node = ctx.ext.parseFieldSelector(fieldText).requiresExactMatch?.('spec.nodeName');
    // A pod on no node has no nodeName member at all: only a named node has text to look for.
    if (node) needles.push(`"nodeName":${JSON.stringify(node)}`);
  }
  if (needles.length === 0) return undefined;
  const buffers = needles.map((n) => Buffer.from(n));
  return (value) => buffers.every((b) => value.includes(b));
}

/** The fields a selection can read from a storage key alone. */
const KEY_FIELDS = new Set(['metadata.name', 'metadata.namespace']);

export type KeyPredicate = (key: { namespace?: string | undefined; name: string }) => boolean;

/**
 * When a request selects only by name and namespace (`metadata.name=x`, as controllers watching one object
 * do), the same selection over an object's key, so a watch filters events without decoding their objects.
 * Undefined when the selection needs the object, or selects everything.
 */
export function keySelectionPredicate(ctx: ApiContext, query: URLSearchParams): KeyPredicate | undefined {
  if ((query.get('labelSelector') ?? '').trim()) return undefined;
  const fieldText = (query.get('fieldSelector') ?? '').trim();
  if (!fieldText) return undefined;
  const fields = ctx.ext.parseFieldSelector(fieldText);
  if (!fields.fields?.every((f) => KEY_FIELDS.has(f))) return undefined;
  return (key) => fields.matches({ 'metadata.name': key.name, 'metadata.namespace': key.namespace ?? '' });
}
