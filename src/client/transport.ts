import * as http from 'node:http';
import * as https from 'node:https';
import { ApiError, type StatusReason } from '../api/errors.js';
import type { Status } from '../api/meta.js';
import { tls } from '../util/node-tls.js';
import type { ClientConfig } from './config.js';

export interface HttpResponse {
  status: number;
  body: string;
}

export interface RequestOptions {
  body?: string;
  contentType?: string;
  /** Abort the request (and an open stream) when this signal fires. */
  signal?: AbortSignal;
}

/** A line-oriented stream (a watch); `close` ends it from our side. */
export interface LineStream {
  close(): void;
}

export interface StreamHandlers {
  onLine(line: string): void;
  /** The stream ended (server closed it, network error, or close()). */
  onEnd(err?: Error): void;
}

/**
 * HTTP(S) with keep-alive connections to one API server. Non-2xx responses become ApiErrors rebuilt from the
 * server's Status, so callers test them with the same guards the server uses.
 */
export class Transport {
  private readonly agent: http.Agent;
  private readonly url: URL;
  private readonly secure: boolean;
  private readonly headers: Record<string, string>;

  constructor(readonly config: ClientConfig) {
    this.url = new URL(config.server);
    this.secure = this.url.protocol === 'https:';
    const agentOptions: https.AgentOptions = { keepAlive: true, maxSockets: 64 };
    if (this.secure) {
      // One context for every connection: without it each new socket parses the key and CA again.
      agentOptions.secureContext = tls.createSecureContext({
        ...(config.caPem ? { ca: config.caPem } : {}),
        ...(config.certPem ? { cert: config.certPem } : {}),
        ...(config.keyPem ? { key: config.keyPem } : {}),
      });
      if (config.insecureSkipTLSVerify) agentOptions.rejectUnauthorized = false;
    }
    this.agent = this.secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.headers = { accept: 'application/json', 'user-agent': config.userAgent ?? 'tugboat' };
    if (config.token) this.headers.authorization = `Bearer ${config.token}`;
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const res = await this.send(method, path, opts);
    if (res.status < 200 || res.status > 299) throw errorFromResponse(res);
    return res;
  }

  /** Opens a long-running GET whose body is newline-delimited (a watch). Resolves once headers are in. */
  stream(path: string, handlers: StreamHandlers): Promise<LineStream> {
    return new Promise((resolve, reject) => {
      const req = this.client().request(this.options('GET', path), (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          collect(res).then((body) => reject(errorFromResponse({ status, body })), reject);
          return;
        }
        let ended = false;
        const end = (err?: Error): void => {
          if (ended) return;
          ended = true;
          handlers.onEnd(err);
        };
        let rest = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const text = rest + chunk;
          let start = 0;
          for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
            if (nl > start) handlers.onLine(text.slice(start, nl));
            start = nl + 1;
          }
          rest = text.slice(start);
        });
        res.on('end', () => end());
        res.on('error', (err) => end(err));
        res.on('close', () => end());
        resolve({ close: () => req.destroy() });
      });
      req.setNoDelay(true);
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, opts: RequestOptions): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const options = this.options(method, path);
      if (opts.body !== undefined) {
        options.headers = {
          ...options.headers,
          'content-type': opts.contentType ?? 'application/json',
          'content-length': String(Buffer.byteLength(opts.body)),
        };
      }
      if (opts.signal) options.signal = opts.signal;
      const req = this.client().request(options, (res) => {
        collect(res).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject);
      });
      req.setNoDelay(true);
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  private client(): typeof http | typeof https {
    return this.secure ? https : http;
  }

  private options(method: string, path: string): http.RequestOptions {
    const where = this.config.socketPath
      ? { socketPath: this.config.socketPath }
      : { hostname: this.url.hostname, port: this.url.port || (this.secure ? 443 : 80) };
    return { agent: this.agent, protocol: this.url.protocol, ...where, method, path, headers: this.headers };
  }
}

function collect(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** Rebuilds the server's Status as an ApiError; a body that is not a Status still yields the HTTP code. */
export function errorFromResponse(res: HttpResponse): ApiError {
  let status: Partial<Status> | undefined;
  try {
    const parsed = JSON.parse(res.body) as Partial<Status>;
    if (parsed && parsed.kind === 'Status') status = parsed;
  } catch {
    // not JSON
  }
  return errorFromStatus(status ?? {}, res.status, res.body);
}

export function errorFromStatus(status: Partial<Status>, code = status.code ?? 500, body = ''): ApiError {
  const reason = (status.reason ?? reasonForCode(code)) as StatusReason;
  const err = new ApiError(code, reason, status.message ?? (body.slice(0, 200) || `HTTP ${code}`));
  if (status.details) err.status.details = status.details;
  return err;
}

function reasonForCode(code: number): StatusReason {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 409:
      return 'Conflict';
    case 410:
      return 'Expired';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    default:
      return 'InternalError';
  }
}
