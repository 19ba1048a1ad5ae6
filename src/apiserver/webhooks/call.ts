/**
 * One call of an admission webhook: POST an AdmissionReview over HTTPS (verified against the webhook's
 * caBundle, or the system's roots without one), within its timeout, and check the answer as upstream's
 * VerifyAdmissionResponse does. Failures carry upstream's wording, which kubectl prints after
 * `failed calling webhook "NAME": `.
 */
import https from 'node:https';
import type { ClientConfig, WebhookAnswer } from './types.js';

/** A call that failed (unreachable, timed out, a bad answer): the failure policy decides what follows. */
export class WebhookCallError extends Error {}

export interface Endpoint {
  /** https URL without the timeout parameter. */
  url: URL;
  /** The name the serving certificate must carry (`NAME.NAMESPACE.svc` for services). */
  serverName: string;
}

/** Service references resolve to a ready endpoint of the service (the API server does not go through kube-proxy). */
export type ServiceResolver = (
  service: NonNullable<ClientConfig['service']>,
) => Promise<{ host: string; port: number }>;

export async function webhookEndpoint(config: ClientConfig, resolve: ServiceResolver): Promise<Endpoint> {
  if (config.url) {
    const url = new URL(config.url);
    return { url, serverName: url.hostname.replace(/^\[|\]$/g, '') };
  }
  const svc = config.service;
  if (!svc) throw new WebhookCallError('the webhook has neither url nor service');
  const serverName = `${svc.name}.${svc.namespace}.svc`;
  let target: { host: string; port: number };
  try {
    target = await resolve(svc);
  } catch (err) {
    throw new WebhookCallError(`failed to call webhook: ${(err as Error).message}`);
  }
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return { url: new URL(`https://${host}:${target.port}${svc.path ?? ''}`), serverName };
}

const agents = new Map<string, https.Agent>();

/** Keep-alive agents per CA bundle and server name, as upstream caches one REST client per webhook config. */
function agentFor(caBundle: string | undefined, serverName: string): https.Agent {
  const key = `${serverName}\n${caBundle ?? ''}`;
  let agent = agents.get(key);
  if (!agent) {
    const ca = caBundle ? Buffer.from(caBundle, 'base64').toString('utf8') : undefined;
    // Idle sockets close after a minute (the webhook may be gone); evicted agents close theirs at once.
    agent = new https.Agent({
      keepAlive: true,
      maxSockets: 32,
      timeout: 60_000,
      ...(ca ? { ca } : {}),
      servername: serverName,
    });
    if (agents.size >= 64) {
      for (const old of agents.values()) old.destroy();
      agents.clear();
    }
    agents.set(key, agent);
  }
  return agent;
}

/** Go's wording for a few network errors, so messages read as upstream's. */
function describeNetworkError(err: NodeJS.ErrnoException, url: URL): string {
  const addr = `${url.hostname}:${url.port || 443}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENOTFOUND':
      return `dial tcp: lookup ${url.hostname}: no such host`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is not valid for ${url.hostname}: ${err.message}`;
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    default:
      return err.message;
  }
}

/** POSTs the review; resolves with the parsed JSON answer of a 2xx response, rejects on anything else. */
function post(
  endpoint: Endpoint,
  caBundle: string | undefined,
  body: string,
  timeoutSeconds: number,
): Promise<unknown> {
  const url = new URL(endpoint.url);
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  const shown = `Post "${url.toString()}"`;
  return new Promise((resolve, reject) => {
    let settled = false;
    // Every way a call can end goes through here once: a webhook that stalls or drops the connection in the
    // middle of its answer must not leave the write waiting.
    const settle = (err: Error | undefined, value?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value);
    };
    const failed = (detail: string): WebhookCallError =>
      new WebhookCallError(`failed to call webhook: ${shown}: ${detail}`);
    const req = https.request(url, {
      method: 'POST',
      agent: agentFor(caBundle, endpoint.serverName),
      servername: endpoint.serverName,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    const timer = setTimeout(() => settle(failed('context deadline exceeded')), timeoutSeconds * 1000);
    req.on('error', (err) => settle(failed(describeNetworkError(err, url))));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        // An answer past the API's own request limit is not an AdmissionReview worth reading.
        if (size > MAX_ANSWER_BYTES) settle(failed('the answer is too large'));
        else chunks.push(c);
      });
      res.on('error', (err) => settle(failed(err.message)));
      res.on('close', () => {
        if (!res.complete) settle(failed('unexpected EOF'));
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) {
          const detail = text.trim()
            ? `an error on the server (${JSON.stringify(text.trim().slice(0, 200))}) has prevented the request from succeeding`
            : `the server responded with the status code ${code} but did not return more information`;
          settle(new WebhookCallError(`failed to call webhook: ${detail}`));
          return;
        }
        try {
          settle(undefined, JSON.parse(text));
        } catch (err) {
          settle(new WebhookCallError(`received invalid webhook response: ${(err as Error).message}`));
        }
      });
    });
    req.end(body);
  });
}

const MAX_ANSWER_BYTES = 3 * 1024 * 1024;

function invalid(message: string): WebhookCallError {
  return new WebhookCallError(`received invalid webhook response: ${message}`);
}

/** A webhook's Status, with the types Go's decoder would insist on; codes outside 400-599 become 403. */
function checkedStatus(status: unknown): NonNullable<WebhookAnswer['status']> {
  if (typeof status !== 'object' || Array.isArray(status) || status === null)
    throw invalid('json: cannot unmarshal response.status: not an object');
  const st = status as Record<string, unknown>;
  const out: NonNullable<WebhookAnswer['status']> = {};
  if (st.code !== undefined) {
    if (typeof st.code !== 'number' || !Number.isInteger(st.code))
      throw invalid('json: cannot unmarshal response.status.code: not an integer');
    out.code = st.code >= 400 && st.code <= 599 ? st.code : 403;
  }
  for (const key of ['message', 'reason', 'status'] as const) {
    const v = st[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw invalid(`json: cannot unmarshal response.status.${key}: not a string`);
    out[key] = v;
  }
  if (st.details !== undefined && st.details !== null) {
    if (typeof st.details !== 'object' || Array.isArray(st.details))
      throw invalid('json: cannot unmarshal response.status.details: not an object');
    out.details = st.details as Record<string, unknown>;
  }
  return out;
}

/** Checks an answer as upstream's VerifyAdmissionResponse and decodes its patch. */
export function verifyAnswer(
  answer: unknown,
  uid: string,
  reviewVersion: string,
  mutating: boolean,
): WebhookAnswer {
  const review = (answer ?? {}) as Record<string, unknown>;
  const response = review.response as Record<string, unknown> | undefined;
  if (!response || typeof response !== 'object') throw invalid('webhook response was absent');
  if (response.uid !== uid)
    throw invalid(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid ?? '')}`);
  const expected = `admission.k8s.io/${reviewVersion}`;
  if (reviewVersion === 'v1' && (review.apiVersion !== expected || review.kind !== 'AdmissionReview')) {
    const got = `${typeof review.apiVersion === 'string' ? review.apiVersion : ''}, Kind=${typeof review.kind === 'string' ? review.kind : ''}`;
    throw invalid(`expected webhook response of ${expected}, Kind=AdmissionReview, got ${got}`);
  }
  if (typeof response.allowed !== 'boolean' && response.allowed !== undefined)
    throw invalid('json: cannot unmarshal response.allowed: not a bool');
  const result: WebhookAnswer = {
    allowed: response.allowed === true,
    warnings: Array.isArray(response.warnings) ? response.warnings.map(String) : [],
  };
  const annotations = response.auditAnnotations;
  if (annotations && typeof annotations === 'object' && !Array.isArray(annotations)) {
    const entries = Object.entries(annotations as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    );
    if (entries.length > 0) result.auditAnnotations = Object.fromEntries(entries);
  }
  if (response.status !== undefined && response.status !== null)
    result.status = checkedStatus(response.status);
  const patch = typeof response.patch === 'string' && response.patch !== '' ? response.patch : undefined;
  const patchType = response.patchType as string | undefined;
  if (!mutating) return result;
  if (patch && patchType === undefined)
    throw invalid('webhook returned response.patch but not response.patchType');
  if (!patch && patchType !== undefined && patchType !== null)
    throw invalid('webhook returned response.patchType but not response.patch');
  if (!patch) return result;
  if (patchType !== 'JSONPatch')
    throw new WebhookCallError(`unsupported patch type ${JSON.stringify(patchType)}`);
  let ops: unknown;
  try {
    ops = JSON.parse(Buffer.from(patch, 'base64').toString('utf8'));
  } catch (err) {
    throw new WebhookCallError(`received undecodable patch in webhook response: ${(err as Error).message}`);
  }
  if (!Array.isArray(ops))
    throw new WebhookCallError(
      'received undecodable patch in webhook response: json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  if (ops.length > 0) result.patch = ops;
  return result;
}

/** The AdmissionReview versions this server speaks, in its preference order. */
const REVIEW_VERSIONS = ['v1', 'v1beta1'];

export function reviewVersionFor(accepted: readonly string[]): string | undefined {
  return accepted.find((v) => REVIEW_VERSIONS.includes(v));
}

export async function callWebhook(
  config: ClientConfig,
  resolve: ServiceResolver,
  request: Record<string, unknown> & { uid: string },
  reviewVersion: string,
  timeoutSeconds: number,
  mutating: boolean,
): Promise<WebhookAnswer> {
  const endpoint = await webhookEndpoint(config, resolve);
  const body = JSON.stringify({
    kind: 'AdmissionReview',
    apiVersion: `admission.k8s.io/${reviewVersion}`,
    request,
  });
  const answer = await post(endpoint, config.caBundle, body, timeoutSeconds);
  return verifyAnswer(answer, request.uid, reviewVersion, mutating);
}
