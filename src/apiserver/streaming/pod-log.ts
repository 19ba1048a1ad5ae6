/** `GET pods/{name}/log`: checked here as upstream's API server and kubelet do, then streamed from the node agent. */
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiError, badRequest, serviceUnavailable } from '../../api/errors.js';
import type { Responder } from '../http/respond.js';
import type { ApiContext } from '../rest/context.js';
import { checkLogStatus, logContainerId, resolvePodTarget, type KubeletClientTls } from './pod-target.js';

const PASSED_PARAMS = [
  'follow',
  'previous',
  'tailLines',
  'timestamps',
  'sinceSeconds',
  'sinceTime',
  'limitBytes',
];

/** The agent's answer to a refused request: its text, as a 400 (the kubelet's errors reach kubectl as BadRequest). */
function upstreamError(code: number, body: string): ApiError {
  const message = body.trim() || `the node agent answered ${code}`;
  if (code === 404 || code === 400) return badRequest(message);
  return new ApiError(code >= 500 ? code : 500, 'InternalError', message, { causes: [] });
}

export async function servePodLog(
  ctx: ApiContext,
  tls: KubeletClientTls | undefined,
  namespace: string,
  name: string,
  query: URLSearchParams,
  req: IncomingMessage,
  out: Responder,
): Promise<void> {
  const target = await resolvePodTarget(ctx, namespace, name, query.get('container'));
  const previous = query.get('previous') === 'true' || query.get('previous') === '1';
  checkLogStatus(target.pod, target.container, previous);
  if (target.hollow || !tls) throw serviceUnavailable(`node of pod ${name} serves no logs`);
  const params = new URLSearchParams();
  for (const p of PASSED_PARAMS) {
    const v = query.get(p);
    if (v !== null) params.set(p, v);
  }
  const containerId = logContainerId(target.pod, target.container, previous);
  if (containerId) params.set('containerID', containerId);
  const path = `/containerLogs/${[namespace, name, target.container].map(encodeURIComponent).join('/')}?${params}`;
  const abort = new AbortController();
  req.on('close', () => abort.abort());
  out.res.on('close', () => abort.abort());
  await new Promise<void>((resolve, reject) => {
    const upstream = httpsRequest(
      {
        host: target.host,
        port: target.port,
        path,
        ca: tls.caPem,
        cert: tls.certPem,
        key: tls.keyPem,
        signal: abort.signal,
      },
      (res) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            reject(upstreamError(res.statusCode ?? 500, Buffer.concat(chunks).toString('utf8'))),
          );
          res.on('error', reject);
          return;
        }
        out.startStream('text/plain');
        res.pipe(out.res);
        res.on('end', () => resolve());
        res.on('error', () => {
          out.res.destroy();
          resolve();
        });
      },
    );
    upstream.on('error', (err) => {
      if (abort.signal.aborted) return resolve();
      reject(
        serviceUnavailable(`cannot reach the agent of node ${target.pod.spec?.nodeName}: ${err.message}`),
      );
    });
    upstream.end();
  });
}
