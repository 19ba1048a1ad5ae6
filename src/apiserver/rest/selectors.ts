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
