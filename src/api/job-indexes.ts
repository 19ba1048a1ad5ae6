/** Completion-index sets of Indexed Jobs, as status.completedIndexes writes them: "0-2,4,7-9". */

/** Parses a compressed index list; indexes at or above `completions` and malformed parts are dropped. */
export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  if (!s) return out;
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let i = lo; i <= hi && i < completions; i++) out.add(i);
  }
  return out;
}

/** Sorted, with consecutive runs of two or more written as `a-b`. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]!;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) end = sorted[++i]!;
    parts.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  return parts.join(',');
}

export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

/** The pod's completion index, or undefined when the annotation is missing or malformed. */
export function completionIndexOf(pod: {
  metadata?: { annotations?: Record<string, string> };
}): number | undefined {
  const v = pod.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/**
 * Upstream validateIndexesFormat: strictly increasing intervals `a` or `a-b` (a < b) below `completions`.
 * Returns how many indexes the list names, or why it is malformed (upstream's wording).
 */
export function checkIndexesFormat(s: string, completions: number): { total: number } | { error: string } {
  if (s === '') return { total: 0 };
  let total = 0;
  let last: number | undefined;
  for (const interval of s.split(',')) {
    const limits = interval.split('-');
    if (limits.length > 2) {
      return {
        error: `the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'`,
      };
    }
    const bounds: number[] = [];
    for (const limit of limits) {
      if (!/^[+-]?\d+$/.test(limit))
        return { error: `cannot convert string to integer for index: ${JSON.stringify(limit)}` };
      const n = Number(limit);
      if (n >= completions) return { error: `too large index: ${JSON.stringify(limit)}` };
      bounds.push(n);
    }
    const [x, y = x] = bounds as [number, number?];
    if (limits.length === 2 && x >= y)
      return { error: `non-increasing order, previous: ${x}, current: ${y}` };
    if (last !== undefined && last >= x)
      return { error: `non-increasing order, previous: ${last}, current: ${x}` };
    total += y - x + 1;
    last = y;
  }
  return { total };
}
