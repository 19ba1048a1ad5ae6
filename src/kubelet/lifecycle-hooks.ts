/** postStart and preStop handlers (exec through the runtime, httpGet against the pod IP, sleep). */
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import type { RuntimeService } from './cri/services.js';
import { podDescription } from './labels.js';
import { httpGet } from './probes/http-get.js';
import { resolvePort } from './probes/prober.js';

export interface HookTarget {
  runtime: RuntimeService;
  pod: Pod;
  container: Container;
  containerId: string;
  podIP: string;
  timeoutSeconds: number;
}

/** Runs the handler; resolves with an upstream-style error message when it failed, else undefined. */
export async function runLifecycleHandler(h: LifecycleHandler, t: HookTarget): Promise<string | undefined> {
  const where = `for Container "${t.container.name}" in Pod "${podDescription(t.pod)}"`;
  if (h.exec) {
    const cmd = h.exec.command ?? [];
    try {
      const r = await t.runtime.execSync(t.containerId, cmd, t.timeoutSeconds);
      if (r.exitCode === 0 && !r.timedOut) return undefined;
      const out = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
      const why = r.timedOut
        ? 'command timed out'
        : `command '${cmd.join(' ')}' exited with ${r.exitCode}: ${out}`;
      return `Exec lifecycle hook ([${cmd.join(' ')}]) ${where} failed - error: ${why}, message: ${JSON.stringify(out)}`;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return `Exec lifecycle hook ([${cmd.join(' ')}]) ${where} failed - error: ${why}, message: ""`;
    }
  }
  if (h.httpGet) {
    const g = h.httpGet;
    const path = g.path ?? '/';
    try {
      const port = resolvePort(g.port, t.container);
      const res = await httpGet(
        {
          scheme: g.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
          host: g.host || t.podIP,
          port,
          path,
          headers: g.httpHeaders ?? [],
        },
        t.timeoutSeconds * 1000,
        'kube-lifecycle/1.32',
      );
      if (res.status >= 200 && res.status < 400) return undefined;
      return `HTTP lifecycle hook (${path}) ${where} failed - error: HTTP status ${res.status}`;
    } catch (err) {
      return `HTTP lifecycle hook (${path}) ${where} failed - error: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  if (h.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(h.sleep!.seconds, t.timeoutSeconds) * 1000));
    return undefined;
  }
  return undefined;
}
