import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size (VmRSS) and its peak (VmHWM) of a process, in bytes; undefined when it is gone. */
export function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux configuration Node supports here. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in seconds; undefined when it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields count from after its closing parenthesis.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** A process and its children (an API server's worker processes), children first found through /proc. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (children) out.push(...children.split(' ').map(Number));
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return out;
}

/** CPU seconds of a process and its live children; undefined when the process itself is gone. */
export function cpuSecondsOfTree(pid: number): number | undefined {
  const own = cpuSecondsOf(pid);
  if (own === undefined) return undefined;
  return processTree(pid)
    .slice(1)
    .reduce((sum, child) => sum + (cpuSecondsOf(child) ?? 0), own);
}

/** RSS and peak RSS summed over a process and its live children. */
export function memoryOfTree(pid: number): { rss: number; peak: number } | undefined {
  const own = memoryOf(pid);
  if (!own) return undefined;
  for (const child of processTree(pid).slice(1)) {
    const m = memoryOf(child);
    if (m) {
      own.rss += m.rss;
      own.peak += m.peak;
    }
  }
  return own;
}
