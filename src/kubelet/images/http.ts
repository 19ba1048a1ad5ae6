/**
 * A small streaming HTTP(S) GET over node:http(s): the body stays a stream (blobs are piped to disk while
 * hashed), per-endpoint TLS settings apply, redirects are followed and credentials are not sent to another host.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';

export interface TlsSettings {
  insecureSkipVerify?: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface HttpGetOptions extends TlsSettings {
  headers?: Record<string, string>;
  /** Milliseconds without any socket activity before the request fails. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** A form POST instead of a GET (OAuth2 token requests); not repeated on redirects. */
  form?: Record<string, string>;
}

const MAX_REDIRECTS = 5;

export class HttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`GET ${url}: HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ''}`);
    this.name = 'HttpError';
  }
}

/** GET `url`; resolves with the response once headers arrive (any status). The caller must consume or destroy it. */
export async function httpGet(url: string, opts: HttpGetOptions = {}): Promise<IncomingMessage> {
  let current = new URL(url);
  let headers = { ...opts.headers };
  for (let hop = 0; ; hop++) {
    const res = await once(current, headers, hop === 0 ? opts : { ...opts, form: undefined });
    const location = res.headers.location;
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new Error(`GET ${url}: too many redirects`);
      const next = new URL(location, current);
      if (next.host !== current.host) {
        // Blob redirects go to storage hosts with their own signed URLs: never forward our credentials.
        const { authorization: _dropped, ...rest } = headers;
        void _dropped;
        headers = rest;
      }
      current = next;
      continue;
    }
    return res;
  }
}

/** Reads a whole (small) body, failing past `limit` bytes. */
export async function readBody(res: IncomingMessage, limit = 16 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      res.destroy();
      throw new Error(`response body larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function once(url: URL, headers: Record<string, string>, opts: HttpGetOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
    const common = {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        'user-agent': 'tugboat',
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      signal: opts.signal,
    };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, {
            ...common,
            rejectUnauthorized: !opts.insecureSkipVerify,
            ...(opts.caFile ? { ca: readFileSync(opts.caFile) } : {}),
            ...(opts.certFile ? { cert: readFileSync(opts.certFile) } : {}),
            ...(opts.keyFile ? { key: readFileSync(opts.keyFile) } : {}),
          })
        : httpRequest(url, common);
    const idle = opts.idleTimeoutMs ?? 60_000;
    req.setTimeout(idle, () => req.destroy(new Error(`GET ${url.href}: no data for ${idle} ms`)));
    req.once('response', (res) => {
      resolve(res);
    });
    req.once('error', reject);
    req.end(body);
  });
}
