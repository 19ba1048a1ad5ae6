import type { VersionAlias } from '../types.js';
import { deprecation, rec, withApiVersion } from './util.js';

/** batch/v1beta1 CronJob has the batch/v1 shape and defaults. */
export const cronJobAliases: VersionAlias[] = [
  {
    group: 'batch',
    version: 'v1beta1',
    toCanonical: (obj) => withApiVersion(obj, 'batch/v1'),
    fromCanonical: (obj) => withApiVersion(obj, 'batch/v1beta1'),
    ...deprecation('batch/v1beta1', 'CronJob', '1.21', '1.25', 'batch/v1 CronJob'),
  },
];

/**
 * In policy/v1beta1 an empty selector selects no pods; in policy/v1 it selects all. Upstream swaps in marker
 * selectors on a key no pod carries so both versions keep their meaning.
 */
const MARKER_KEY = 'pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match';
const matchNoneInV1 = () => ({ matchExpressions: [{ key: MARKER_KEY, operator: 'Exists' }] });
const matchAllInV1beta1 = () => ({ matchExpressions: [{ key: MARKER_KEY, operator: 'DoesNotExist' }] });

function isEmptySelector(sel: unknown): boolean {
  const s = rec(sel);
  if (!s) return false;
  const labels = rec(s.matchLabels);
  const exprs = Array.isArray(s.matchExpressions) ? s.matchExpressions : [];
  return (!labels || Object.keys(labels).length === 0) && exprs.length === 0;
}

function isMarker(sel: unknown, operator: string): boolean {
  const s = rec(sel);
  if (!s || (rec(s.matchLabels) && Object.keys(s.matchLabels as object).length > 0)) return false;
  const exprs = Array.isArray(s.matchExpressions) ? (s.matchExpressions as unknown[]) : [];
  const only = rec(exprs[0]);
  return (
    exprs.length === 1 &&
    only?.key === MARKER_KEY &&
    only.operator === operator &&
    (!Array.isArray(only.values) || only.values.length === 0)
  );
}

export const podDisruptionBudgetAliases: VersionAlias[] = [
  {
    group: 'policy',
    version: 'v1beta1',
    toCanonical(obj) {
      const out = withApiVersion(obj, 'policy/v1');
      const spec = rec(out.spec);
      if (spec && isEmptySelector(spec.selector)) spec.selector = matchNoneInV1();
      else if (spec && isMarker(spec.selector, 'DoesNotExist')) spec.selector = {};
      return out;
    },
    fromCanonical(obj) {
      const out = withApiVersion(obj, 'policy/v1beta1');
      const spec = rec(out.spec);
      if (spec && isMarker(spec.selector, 'Exists')) spec.selector = {};
      else if (spec && isEmptySelector(spec.selector)) spec.selector = matchAllInV1beta1();
      return out;
    },
    ...deprecation('policy/v1beta1', 'PodDisruptionBudget', '1.21', '1.25', 'policy/v1 PodDisruptionBudget'),
  },
];
