/**
 * A process identity that survives our restart: pid plus its start time from /proc/<pid>/stat, so a recycled
 * pid is never mistaken for the process we started.
 */
import { readFile } from 'node:fs/promises';

export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot). */
  startTicks: number;
}

export async function processStartTicks(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields after it follow the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    if (state === 'Z' || state === 'X') return undefined;
    return Number(rest[19]);
  } catch {
    return undefined;
  }
}

export async function identify(pid: number): Promise<ProcessIdentity | undefined> {
  const startTicks = await processStartTicks(pid);
  return startTicks === undefined ? undefined : { pid, startTicks };
}

export async function isAlive(p: ProcessIdentity | undefined): Promise<boolean> {
  if (!p) return false;
  return (await processStartTicks(p.pid)) === p.startTicks;
}

/** Pids whose command line mentions needle (used by leak checks to find our own helpers by their paths). */
export async function pidsMentioning(needle: string): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) found.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}
