/**
 * The audit policy and its sink, shared by every request: decides each request's level and starts its
 * record (upstream's WithAudit and WithFailedAuthenticationAudit filters).
 */
import { presentedCredentials } from '../auth/presented.js';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Attributes } from '../authz/types.js';
import { microTime, type AuditEvent, type AuditSink } from './event.js';
import { evaluatePolicy, type AuditPolicy } from './policy.js';
import { AuditRecord, auditUser } from './record.js';

const MAX_USER_AGENT = 1024;
/** Upstream's long-running requests: their answer starts (ResponseStarted) well before it ends. */
const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

export interface AuditedRequest {
  req: IncomingMessage;
  auditId: string;
  /** When the request arrived, in epoch milliseconds with a fraction. */
  receivedAt: number;
  /** The request as the authorizer sees it, with the authenticated user (before impersonation). */
  attrs: Attributes;
}

export class Auditor {
  constructor(
    private readonly policy: AuditPolicy,
    readonly sink: AuditSink,
  ) {}

  /** The `Authentication failed, …` message of a refused request's event. */
  attemptedAuthentication(req: IncomingMessage): string {
    return attemptedAuthentication(req);
  }

  /** The request's record, its RequestReceived event sent; undefined when the policy says `None`. */
  begin(request: AuditedRequest): AuditRecord | undefined {
    const { attrs } = request;
    const config = evaluatePolicy(this.policy, attrs);
    if (config.level === 'None') return undefined;
    const ev: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: config.level,
      auditID: request.auditId,
      stage: 'RequestReceived',
      requestURI: request.req.url ?? '/',
      verb: attrs.verb,
      user: auditUser(attrs.user),
      sourceIPs: sourceIPs(request.req),
      userAgent: userAgentOf(request.req),
      requestReceivedTimestamp: microTime(request.receivedAt),
      stageTimestamp: '',
    };
    if (!ev.userAgent) delete ev.userAgent;
    if (attrs.resourceRequest) {
      ev.objectRef = {};
      const ref = ev.objectRef;
      if (attrs.resource) ref.resource = attrs.resource;
      if (attrs.namespace) ref.namespace = attrs.namespace;
      if (attrs.name) ref.name = attrs.name;
      if (attrs.apiGroup) ref.apiGroup = attrs.apiGroup;
      if (attrs.apiVersion) ref.apiVersion = attrs.apiVersion;
      if (attrs.subresource) ref.subresource = attrs.subresource;
    }
    const longRunning =
      LONG_RUNNING_VERBS.has(attrs.verb) ||
      (attrs.resourceRequest && LONG_RUNNING_SUBRESOURCES.has(attrs.subresource));
    const record = new AuditRecord(ev, config, this.sink, longRunning, attrs.resourceRequest);
    record.emit('RequestReceived');
    return record;
  }
}

/** Upstream's `Authentication failed, attempted: …` for the event of a request refused with 401. */
export function attemptedAuthentication(req: IncomingMessage): string {
  const methods = presentedCredentials(req);
  return methods.length > 0
    ? `Authentication failed, attempted: ${methods.join(', ')}`
    : 'Authentication failed, no credentials provided';
}

/** X-Forwarded-For's addresses, then X-Real-Ip's, then the peer's (upstream's utilnet.SourceIPs). */
export function sourceIPs(req: IncomingMessage): string[] {
  const ips: string[] = [];
  const forwarded = req.headers['x-forwarded-for'];
  const forwardedText = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
  if (forwardedText) {
    for (const part of forwardedText.split(',')) {
      const ip = normalizeIp(part.trim());
      if (ip) ips.push(ip);
    }
  }
  const realIp = normalizeIp(String(req.headers['x-real-ip'] ?? '').trim());
  if (realIp && !ips.includes(realIp)) ips.push(realIp);
  const remote = normalizeIp(req.socket.remoteAddress ?? '');
  if (remote && ips[ips.length - 1] !== remote) ips.push(remote);
  return ips;
}

/** An address as Go prints it: IPv4-mapped IPv6 as plain IPv4; undefined when it is no address. */
function normalizeIp(text: string): string | undefined {
  if (!isIP(text)) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  return mapped ? mapped[1] : text.toLowerCase();
}

function userAgentOf(req: IncomingMessage): string {
  const ua = req.headers['user-agent'] ?? '';
  return ua.length > MAX_USER_AGENT ? `${ua.slice(0, MAX_USER_AGENT)}...TRUNCATED` : ua;
}
