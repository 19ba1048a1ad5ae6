/** Runs one probe (exec via the runtime; httpGet, tcpSocket and grpc against the pod IP). */
import { connect } from 'node:net';
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import type { RuntimeService } from '../cri/services.js';
import { grpcHealthCheck } from './grpc-health.js';
import { httpGet } from './http-get.js';

export type ProbeResult = 'success' | 'failure';

export interface ProbeOutcome {
  result: ProbeResult;
  output: string;
}

/** A port given by number or by the name of one of the container's ports. */
export function resolvePort(port: number | string | undefined, container: Container): number {
  if (typeof port === 'number') return port;
  if (port === undefined) throw new Error('port is required');
  if (/^\d+$/.test(port)) return Number(port);
  const p = container.ports?.find((x) => x.name === port);
  if (!p) throw new Error(`couldn't find port: ${port} in container ${container.name}`);
  return p.containerPort;
}

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (o: ProbeOutcome): void => {
      sock.destroy();
      resolve(o);
    };
    sock.setTimeout(timeoutMs, () =>
      done({ result: 'failure', output: `dial tcp ${host}:${port}: i/o timeout` }),
    );
    sock.on('connect', () => done({ result: 'success', output: '' }));
    sock.on('error', (err) =>
      done({ result: 'failure', output: `dial tcp ${host}:${port}: ${err.message}` }),
    );
  });
}

export async function runProbe(
  probe: Probe,
  container: Container,
  containerId: string,
  podIP: string,
  runtime: RuntimeService,
): Promise<ProbeOutcome> {
  const timeoutSeconds = probe.timeoutSeconds ?? 1;
  if (probe.exec) {
    const r = await runtime.execSync(containerId, probe.exec.command ?? [], timeoutSeconds);
    const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
    if (r.timedOut) return { result: 'failure', output: `command timed out after ${timeoutSeconds}s` };
    return { result: r.exitCode === 0 ? 'success' : 'failure', output };
  }
  if (probe.httpGet) {
    const g = probe.httpGet;
    try {
      const res = await httpGet(
        {
          scheme: g.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
          host: g.host || podIP,
          port: resolvePort(g.port, container),
          path: g.path ?? '/',
          headers: g.httpHeaders ?? [],
        },
        timeoutSeconds * 1000,
      );
      if (res.status >= 200 && res.status < 400) return { result: 'success', output: res.body };
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
    } catch (err) {
      return { result: 'failure', output: err instanceof Error ? err.message : String(err) };
    }
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, container);
    return tcpCheck(probe.tcpSocket.host || podIP, port, timeoutSeconds * 1000);
  }
  if (probe.grpc) {
    return grpcHealthCheck(podIP, probe.grpc.port, probe.grpc.service ?? '', timeoutSeconds * 1000);
  }
  return { result: 'failure', output: 'probe has no handler' };
}
