import { Agent, request, type RequestOptions } from 'node:https';
import { performance } from 'node:perf_hooks';

export interface ApiTarget {
  /** https://host:port */
  url: string;
  /** Bearer token of a cluster admin. */
  token: string;
  /** PEM of the CA that signed the serving certificate. */
  ca: string;
}

export interface ApiResponse {
  status: number;
  body: string;
}

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 200)}`);
  }
}

/** A keep-alive HTTPS client with at most `maxSockets` connections, as kubectl or an informer would hold. */
export class ApiClient {
  readonly agent: Agent;
  private readonly base: RequestOptions;

  constructor(
    readonly target: ApiTarget,
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ca: target.ca });
    const u = new URL(target.url);
    this.base = {
      agent: this.agent,
      host: u.hostname,
      port: Number(u.port),
      headers: { authorization: `Bearer ${target.token}`, accept: 'application/json' },
    };
  }

  request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          ...this.base,
          method,
          path,
          headers: {
            ...this.base.headers,
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.setNoDelay(true);
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like request, but a status outside 2xx is an HttpStatusError; the body is parsed JSON. */
  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    if (res.status < 200 || res.status > 299)
      throw new HttpStatusError(res.status, res.body, `${method} ${path}`);
    return JSON.parse(res.body) as T;
  }

  /**
   * Opens a long-running GET (a watch) and hands each chunk of its body to `onData` with the time it arrived.
   * Resolves once the response headers are in with status 200.
   */
  openStream(path: string, onData: (chunk: string, at: number) => void): Promise<{ close(): void }> {
    return new Promise((resolve, reject) => {
      const req = request({ ...this.base, method: 'GET', path }, (res) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            reject(new HttpStatusError(res.statusCode ?? 0, Buffer.concat(chunks).toString(), `GET ${path}`)),
          );
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => onData(chunk, performance.now()));
        res.on('error', () => {});
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
}
