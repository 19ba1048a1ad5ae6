/**
 * The audit webhook backend (`--audit-webhook-config-file`): events POSTed as an audit.k8s.io/v1 EventList to
 * the server a kubeconfig names, with its TLS and credentials. In `batch` mode (upstream's default) events wait
 * in a bounded buffer and go in batches of at most `batchMaxSize`, or after `batchMaxWaitMs`; `blocking` sends
 * each event on its own as it comes. A failed send is retried with exponential backoff, then dropped (logged).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ClientConfig } from '../../client/config.js';
import type { Logger } from '../../util/logger.js';

export interface AuditWebhookSettings {
  mode: 'batch' | 'blocking' | 'blocking-strict';
  /** Events waiting at most; more are dropped (upstream's --audit-webhook-batch-buffer-size, 10000). */
  bufferSize: number;
  /** Events per request (400). */
  batchMaxSize: number;
  /** How long an event may wait for its batch to fill (30 s). */
  batchMaxWaitMs: number;
  /** The first retry's delay (10 s); each next one 1.5 times longer. */
  initialBackoffMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: AuditWebhookSettings = {
  mode: 'batch',
  bufferSize: 10_000,
  batchMaxSize: 400,
  batchMaxWaitMs: 30_000,
  initialBackoffMs: 10_000,
};

/** Tries per batch: the first and four retries, as upstream's default retry backoff. */
const ATTEMPTS = 5;
const REQUEST_TIMEOUT_MS = 30_000;

export class AuditWebhookBackend {
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private closed = false;
  private droppedSinceLog = 0;

  constructor(
    private readonly target: ClientConfig,
    private readonly settings: AuditWebhookSettings,
    private readonly logger: Logger,
  ) {}

  /** One event, already serialized as JSON. */
  write(eventJson: string): void {
    if (this.closed) return;
    if (this.settings.mode !== 'batch') {
      this.send([eventJson]);
      return;
    }
    if (this.buffer.length >= this.settings.bufferSize) {
      if (this.droppedSinceLog++ === 0)
        this.logger.error('audit webhook buffer full: events dropped', {
          bufferSize: this.settings.bufferSize,
        });
      return;
    }
    this.buffer.push(eventJson);
    if (this.buffer.length >= this.settings.batchMaxSize) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.settings.batchMaxWaitMs);
  }

  /** Sends what is buffered now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length > 0) this.send(this.buffer.splice(0, this.settings.batchMaxSize));
  }

  /** Sends what is left and waits (at most `waitMs`) for the requests under way. */
  async close(waitMs = 5_000): Promise<void> {
    this.flush();
    this.closed = true;
    for (const t of this.retryTimers) clearTimeout(t);
    const pending = Promise.all(this.inFlight);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([pending, new Promise<void>((r) => (timeout = setTimeout(r, waitMs)))]);
    clearTimeout(timeout);
  }

  private send(events: string[]): void {
    const body = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${events.join(',')}]}`;
    const attempt = (n: number): Promise<void> =>
      post(this.target, body).then(
        () => {
          if (this.droppedSinceLog > 0) this.droppedSinceLog = 0;
        },
        (err: Error & { retriable?: boolean }) => {
          if (this.closed || !err.retriable || n + 1 >= ATTEMPTS) {
            this.logger.error('audit webhook: events dropped', { events: events.length, error: err.message });
            return;
          }
          const delay = this.settings.initialBackoffMs * 1.5 ** n;
          return new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              this.retryTimers.delete(t);
              resolve(attempt(n + 1));
            }, delay);
            this.retryTimers.add(t);
            // A retry never keeps the server alive by itself.
            t.unref();
          });
        },
      );
    const sending = attempt(0).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }
}

/** POSTs the body; rejects with `retriable` set for network failures, 429 and 5xx answers. */
function post(target: ClientConfig, body: string): Promise<void> {
  const url = new URL(target.server);
  const https = url.protocol === 'https:';
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    Accept: 'application/json',
  };
  if (target.token) headers.Authorization = `Bearer ${target.token}`;
  const options = {
    method: 'POST',
    headers,
    timeout: REQUEST_TIMEOUT_MS,
    ...(https
      ? {
          ...(target.caPem ? { ca: target.caPem } : {}),
          ...(target.certPem ? { cert: target.certPem } : {}),
          ...(target.keyPem ? { key: target.keyPem } : {}),
          rejectUnauthorized: !target.insecureSkipTLSVerify,
        }
      : {}),
  };
  return new Promise((resolve, reject) => {
    const fail = (message: string, retriable: boolean): void =>
      reject(Object.assign(new Error(message), { retriable }));
    const onResponse = (res: IncomingMessage): void => {
      res.resume();
      const code = res.statusCode ?? 0;
      if (code >= 200 && code < 300) resolve();
      else fail(`the webhook answered ${code}`, code === 429 || code >= 500);
    };
    const req = https ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => fail(err.message, true));
    req.end(body);
  });
}
