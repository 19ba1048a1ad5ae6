import type { Container, Pod } from 'kubernetes-types/core/v1.js';

/** Pod annotations that steer what a hollow node makes of a pod. */
export const ANNOTATIONS = {
  /** The pod runs this many seconds, then succeeds (exit 0). */
  runSeconds: 'hollow.tugboat.dev/run-seconds',
  /** With run-seconds: exit with this code instead of 0 (non-zero → Failed). */
  exitCode: 'hollow.tugboat.dev/exit-code',
  /** Ready only this many seconds after the containers started (default 0). */
  readySeconds: 'hollow.tugboat.dev/ready-seconds',
  /** "false": containers run but never become ready. */
  ready: 'hollow.tugboat.dev/ready',
  /** CPU usage of the pod in millicores (overrides the hollow-load ConfigMap). */
  cpuMillicores: 'hollow.tugboat.dev/cpu-millicores',
  /** Memory usage of the pod in bytes or as a quantity (e.g. 128Mi). */
  memory: 'hollow.tugboat.dev/memory',
} as const;

/** How long a `true`/`false` container "runs" before it exits. */
export const SHORT_RUN_MS = 500;

export interface PodPlan {
  /** Exit after this long (ms after start), or run until deleted. */
  exitAfterMs?: number;
  exitCode: number;
  /** Ready this long after start; undefined = never ready. */
  readyAfterMs?: number;
}

function words(c: Container): string[] {
  return [...(c.command ?? []), ...(c.args ?? [])].map((w) => w.trim());
}

/** What a shell or exec command does in a hollow container: exit 0, exit non-zero, or run on. */
export function commandOutcome(c: Container): 'succeed' | 'fail' | 'run' {
  let w = words(c);
  if (w.length >= 3 && /(^|\/)(ba)?sh$/.test(w[0] ?? '') && w[1] === '-c') w = [w.slice(2).join(' ')];
  const script = w.join(' ').trim();
  if (/^(\/bin\/|\/usr\/bin\/)?true$/.test(script) || script === 'exit 0' || script === ':') return 'succeed';
  if (/^(\/bin\/|\/usr\/bin\/)?false$/.test(script) || /^exit [1-9]\d*$/.test(script)) return 'fail';
  return 'run';
}

function exitCodeOf(script: Container): number {
  const w = words(script).join(' ');
  const m = /exit (\d+)/.exec(w);
  return m ? Number(m[1]) : 1;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
}

export function planPod(pod: Pod): PodPlan {
  const ann = pod.metadata?.annotations ?? {};
  const ready =
    ann[ANNOTATIONS.ready] === 'false' ? undefined : (seconds(ann[ANNOTATIONS.readySeconds]) ?? 0);
  const runFor = seconds(ann[ANNOTATIONS.runSeconds]);
  if (runFor !== undefined) {
    const code = Number(ann[ANNOTATIONS.exitCode] ?? '0');
    return { exitAfterMs: runFor, exitCode: Number.isInteger(code) ? code : 1, ...withReady(ready) };
  }
  const containers = pod.spec?.containers ?? [];
  const only = containers.length === 1 ? containers[0] : undefined;
  if (only) {
    const outcome = commandOutcome(only);
    if (outcome === 'succeed') return { exitAfterMs: SHORT_RUN_MS, exitCode: 0, ...withReady(ready) };
    if (outcome === 'fail')
      return { exitAfterMs: SHORT_RUN_MS, exitCode: exitCodeOf(only), ...withReady(ready) };
  }
  return { exitCode: 0, ...withReady(ready) };
}

function withReady(ms: number | undefined): { readyAfterMs?: number } {
  return ms === undefined ? {} : { readyAfterMs: ms };
}
