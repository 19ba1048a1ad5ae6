import type { ServerResponse } from 'node:http';
import { yaml } from '../../util/yaml.js';
import { internalError, isApiError, type ApiError } from '../../api/errors.js';
import type { AuditRecord } from '../audit/record.js';

/** Per-request response helpers: one place sets content types and warning headers. */
export class Responder {
  readonly warnings: string[] = [];
  /** The request's audit event, when the audit policy records it. */
  audit: AuditRecord | undefined;
  /**
   * @param auditId sent as the answer's `Audit-Id` header: in the header object given to writeHead rather than
   * set before it, since a header set ahead of writeHead costs Node a slower path for every header (~8 % of a
   * GET's CPU).
   */
  constructor(
    readonly res: ServerResponse,
    readonly auditId: string,
  ) {}

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  private applyWarnings(): void {
    if (this.warnings.length > 0 && !this.res.headersSent) {
      this.res.setHeader('Warning', this.warnings.map(warningHeaderValue));
    }
  }

  json(code: number, body: unknown, contentType = 'application/json'): void {
    this.audit?.response(code, body);
    this.write(code, JSON.stringify(body), contentType);
  }

  yaml(code: number, body: unknown): void {
    this.audit?.response(code, body);
    this.write(code, yaml().stringify(body), 'application/yaml');
  }

  /** Pre-encoded JSON text. */
  send(
    code: number,
    text: string | Buffer,
    contentType: string,
    extraHeaders: Record<string, string> = {},
  ): void {
    this.audit?.responseText(code, text, contentType);
    this.write(code, text, contentType, extraHeaders);
  }

  private write(
    code: number,
    text: string | Buffer,
    contentType: string,
    extraHeaders: Record<string, string> = {},
  ): void {
    const res = this.res;
    if (res.headersSent) {
      res.end();
      return;
    }
    this.applyWarnings();
    res.writeHead(code, {
      'Audit-Id': this.auditId,
      'Cache-Control': 'no-cache, private',
      'Content-Type': contentType,
      'Content-Length': String(typeof text === 'string' ? Buffer.byteLength(text) : text.length),
      ...extraHeaders,
    });
    // A string body goes out in one write with the headers (Node joins them); a Buffer takes a second chunk,
    // which the TLS socket copies into one record.
    res.end(text);
  }

  text(code: number, body: string): void {
    this.send(code, body, 'text/plain; charset=utf-8');
  }

  error(err: unknown): void {
    const apiErr: ApiError = isApiError(err) ? err : internalError(err);
    this.json(apiErr.status.code, apiErr.status);
  }

  /** Start a streaming response (watch): headers are flushed at once (kubectl hangs otherwise). */
  startStream(contentType: string): void {
    this.audit?.started(200);
    this.applyWarnings();
    this.res.writeHead(200, {
      'Audit-Id': this.auditId,
      'Content-Type': contentType,
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    this.res.flushHeaders();
  }
}

/**
 * `299 - "<text>"` as header-safe bytes: JSON quoting escapes control characters, DEL is escaped too, and
 * non-ASCII text goes out as its UTF-8 bytes (Node only accepts latin1 code units in header values).
 */
export function warningHeaderValue(text: string): string {
  const quoted = JSON.stringify(text).replace(/\x7f/g, '\\u007f');
  return Buffer.from(`299 - ${quoted}`, 'utf8').toString('latin1');
}
