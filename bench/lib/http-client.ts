import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

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

/**
 * A keep-alive HTTPS client with at most `maxSockets` connections, as kubectl or an informer would hold, one
 * request at a time on each (no pipelining). Built on undici, Node's own HTTP client library: the load generator
 * shares the machine's two cores with the server, and node:https spent about twice its CPU per request, so the
 * get phase measured the client rather than the server.
 */
export class ApiClient {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;

  constructor(
    readonly target: ApiTarget,
    maxSockets: number,
  ) {
    this.pool = new Pool(target.url, {
      connections: maxSockets,
      pipelining: 1,
      connect: { ca: target.ca },
      // Watches stay open without traffic for as long as a phase lasts.
      bodyTimeout: 0,
      headersTimeout: 0,
      keepAliveTimeout: 60_000,
    });
    this.headers = { authorization: `Bearer ${target.token}`, accept: 'application/json' };
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.pool.request({
      method,
      path,
      headers: payload === undefined ? this.headers : { ...this.headers, 'content-type': contentType },
      ...(payload === undefined ? {} : { body: payload }),
    });
    return { status: res.statusCode, body: await res.body.text() };
  }

  /** Like request, but a status outside 2xx is an HttpStatusError; the body is parsed JSON. */
  async call<T = any>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.request(method, path, body, contentType);
    if (res.status < 200 || res.status > 299)
      throw new HttpStatusError(res.status, res.body, `${method} ${path}`);
    return JSON.parse(res.body) as T;
  }

  /**
   * Opens a long-running GET (a watch) and hands each chunk of its body to `onData` with the time it arrived.
   * Resolves once the response headers are in with status 200.
   */
  async openStream(path: string, onData: (chunk: string, at: number) => void): Promise<{ close(): void }> {
    const res = await this.pool.request({ method: 'GET', path, headers: this.headers });
    if (res.statusCode !== 200) {
      throw new HttpStatusError(res.statusCode, await res.body.text(), `GET ${path}`);
    }
    res.body.setEncoding('utf8');
    res.body.on('data', (chunk: string) => onData(chunk, performance.now()));
    res.body.on('error', () => {});
    return { close: () => res.body.destroy() };
  }

  close(): void {
    void this.pool.destroy();
  }
}
