import type { KubeObject } from '../../../api/meta.js';
import { isPlainObject } from '../../../api/meta.js';
import type { TableColumn } from '../types.js';
import { doc } from './docs.js';
import { canonicalQuantity } from './quantity.js';

/** Loose JSON access: objects stay plain JSON, so printers read them defensively. */
export type Obj = Record<string, any>;

export function rec(value: unknown): Obj {
  return isPlainObject(value) ? value : {};
}

export function arr(value: unknown): Obj[] {
  return Array.isArray(value) ? (value as Obj[]) : [];
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: doc.name,
  priority: 0,
};
export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: doc.creationTimestamp,
  priority: 0,
};
export const createdAtColumn: TableColumn = {
  name: 'Created At',
  type: 'date',
  description: doc.creationTimestamp,
  priority: 0,
};
export const containersColumn = col('Containers', 'Names of each container in the template.', 1);
export const imagesColumn = col('Images', 'Images referenced by each container in the template.', 1);

export function col(
  name: string,
  description: string,
  priority = 0,
  type: TableColumn['type'] = 'string',
): TableColumn {
  return { name, type, description, priority };
}

/** Go's int() conversion of a duration: truncation toward zero. */
const trunc = Math.trunc;

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration (used for Age and friends). */
export function humanDuration(ms: number): string {
  const seconds = trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${trunc(hours / 24)}d` : `${trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = trunc(hours / 24) % 365;
    const years = trunc(hours / 24 / 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${trunc(hours / 24 / 365)}y`;
}

/** Age of a timestamp (metav1.Time or MicroTime string); `<unknown>` when unset, as upstream translateTimestampSince. */
export function since(timestamp: unknown, now: number): string {
  if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now - t);
}

export function age(obj: KubeObject, now: number): string {
  return since(obj.metadata?.creationTimestamp, now);
}

/** labels.FormatLabels: sorted `k=v` pairs, `<none>` when empty. */
export function formatLabels(labels: unknown): string {
  const entries = Object.entries(rec(labels)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

/** labels.Selector.String() of metav1.LabelSelectorAsSelector; '' for nil or empty selectors. */
export function selectorString(selector: unknown): string {
  const sel = rec(selector);
  const reqs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(rec(sel.matchLabels))) reqs.push([k, `${k}=${String(v)}`]);
  for (const expr of arr(sel.matchExpressions)) {
    const key = str(expr.key);
    const values = (Array.isArray(expr.values) ? (expr.values as unknown[]).map(String) : []).sort();
    switch (expr.operator) {
      case 'In':
        reqs.push([key, `${key} in (${values.join(',')})`]);
        break;
      case 'NotIn':
        reqs.push([key, `${key} notin (${values.join(',')})`]);
        break;
      case 'Exists':
        reqs.push([key, key]);
        break;
      case 'DoesNotExist':
        reqs.push([key, `!${key}`]);
        break;
      default:
        return '<error>';
    }
  }
  // Requirements sort by key (stable, so matchLabels come before expressions on the same key).
  reqs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return reqs.map(([, s]) => s).join(',');
}

/** metav1.FormatLabelSelector: as selectorString, `<none>` when empty. */
export function formatLabelSelector(selector: unknown): string {
  return selectorString(selector) || '<none>';
}

/** layoutContainerCells: comma-joined container names and images. */
export function containerCells(podSpec: unknown): [string, string] {
  const containers = arr(rec(podSpec).containers);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}

/** A list of at most `max` entries with ` + N more...`, as upstream's endpoint and host formatting. */
export function listWithMore(list: string[], total: number, max: number, empty: string): string {
  const ret = list.slice(0, max).join(',');
  if (total > max) return `${ret} + ${total - max} more...`;
  return ret === '' ? empty : ret;
}

/** A LoadBalancer status as a sorted, de-duplicated IP/hostname list; clipped to 16 chars unless wide. */
export function loadBalancerStatus(status: unknown, wide: boolean): string {
  const result = new Set<string>();
  for (const ing of arr(rec(status).ingress)) {
    if (str(ing.ip)) result.add(str(ing.ip));
    else if (str(ing.hostname)) result.add(str(ing.hostname));
  }
  const r = [...result].sort().join(',');
  if (!wide && r.length > 16) return `${r.slice(0, 13)}...`;
  return r;
}

/** Converts a Go `*bool` to the table text upstream prints. */
export function boolPtr(value: unknown): string {
  if (typeof value !== 'boolean') return '<unset>';
  return value ? 'True' : 'False';
}

/** A resource quantity as Quantity.String() prints it; a missing quantity is the zero value `0`. */
export function quantity(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  if (text === '') return '0';
  return canonicalQuantity(text) ?? text;
}
