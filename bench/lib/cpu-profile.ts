import type { SourcePositions } from './source-maps.js';

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) that self-time needs. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  /** Function name, `(anonymous)` when it has none, or V8's pseudo-frames such as `(garbage collector)`. */
  name: string;
  /** Script location with the repository root cut off; `node:…` for Node's own modules. */
  where: string;
  selfMs: number;
  /** Share of the profile's busy (non-idle) time. */
  share: number;
}

const IDLE = '(idle)';

function location(url: string, line: number, root: string): string {
  if (url === '') return '';
  let where = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  if (root && where.startsWith(root)) where = where.slice(root.length);
  const nm = where.lastIndexOf('node_modules/');
  if (nm >= 0) where = where.slice(nm);
  return line >= 0 ? `${where}:${line + 1}` : where;
}

/**
 * Self time per function (or per file with byFile), busiest first, idle time left out. With `sources`, frames
 * in the bundled build are charged to the source files they came from.
 */
export function hotSpots(
  profile: CpuProfile,
  opts: { root?: string; top?: number; byFile?: boolean; sources?: SourcePositions } = {},
): { busyMs: number; spots: HotSpot[] } {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, { name: string; where: string; us: number }>();
  let busyUs = 0;
  // timeDeltas[i] is the time since the previous sample; charge it to sample i's frame.
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!frame || frame.functionName === IDLE) return;
    busyUs += us;
    const { url, line } = opts.sources?.original({
      url: frame.url,
      line: frame.lineNumber,
      column: frame.columnNumber ?? 0,
    }) ?? { url: frame.url, line: frame.lineNumber };
    const where = location(url, opts.byFile ? -1 : line, opts.root ?? '');
    const name = opts.byFile ? '' : frame.functionName || '(anonymous)';
    const key = `${name}\u0000${where}`;
    const entry = self.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    self.set(key, entry);
  });
  const spots = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, opts.top ?? 20)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, share: busyUs ? e.us / busyUs : 0 }));
  return { busyMs: busyUs / 1000, spots };
}
