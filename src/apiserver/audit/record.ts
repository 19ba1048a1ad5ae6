/**
 * One request's audit event while the request runs (upstream's AuditContext): the handlers fill in the
 * request and response objects, the response status and annotations, and the record sends the event to the
 * sink at each stage the policy keeps, serialized at that moment.
 */
import { yaml } from '../../util/yaml.js';
import type { UserInfo } from '../config.js';
import {
  RawJson,
  microTime,
  preciseNow,
  type AuditEvent,
  type AuditResponseStatus,
  type AuditSink,
  type AuditUser,
} from './event.js';
import { levelAtLeast, type AuditLevel, type AuditStage, type RequestAuditConfig } from './policy.js';

interface ObjectMetaLike {
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  managedFields?: unknown;
}

export class AuditRecord {
  private startedSent = false;
  private completed = false;
  /** A failed authentication keeps upstream's `Authentication failed, …` message over the 401's own. */
  private statusFixed = false;

  constructor(
    readonly event: AuditEvent,
    private readonly config: RequestAuditConfig,
    private readonly sink: AuditSink,
    /** Watches, logs, exec/attach/port-forward and proxies: a ResponseStarted event when the answer begins. */
    readonly longRunning: boolean,
    /** Objects are logged for resource requests only, as upstream's resource handlers do. */
    private readonly resourceRequest: boolean,
  ) {}

  get level(): AuditEvent['level'] {
    return this.event.level;
  }

  /** `minLevel`: only when the event records that much (upstream's AddAnnotationWithLevel). */
  annotate(key: string, value: string, minLevel?: AuditLevel): void {
    if (minLevel && !levelAtLeast(this.level, minLevel)) return;
    const annotations = (this.event.annotations ??= {});
    // The first value stays, as upstream's (a second, different one is dropped with a warning there).
    if (!(key in annotations)) annotations[key] = value;
  }

  /** Upstream's authorization annotations, from the authorizer's final decision. */
  authorized(allowed: boolean, reason: string): void {
    this.annotate('authorization.k8s.io/decision', allowed ? 'allow' : 'forbid');
    this.annotate('authorization.k8s.io/reason', reason);
  }

  impersonated(user: UserInfo): void {
    this.event.impersonatedUser = auditUser(user);
  }

  /** The decoded request body: completes objectRef from its metadata and, from level Request, is logged. */
  requestObject(obj: unknown): void {
    const meta = (obj as { metadata?: ObjectMetaLike } | null)?.metadata;
    const ref = (this.event.objectRef ??= {});
    if (meta && typeof meta === 'object') {
      if (!ref.namespace && typeof meta.namespace === 'string' && meta.namespace)
        ref.namespace = meta.namespace;
      if (!ref.name && typeof meta.name === 'string' && meta.name) ref.name = meta.name;
      if (!ref.uid && typeof meta.uid === 'string' && meta.uid) ref.uid = meta.uid;
      if (!ref.resourceVersion && typeof meta.resourceVersion === 'string' && meta.resourceVersion)
        ref.resourceVersion = meta.resourceVersion;
    }
    // A copy: the pipeline defaults and admits the object in place after this.
    if (levelAtLeast(this.level, 'Request')) this.event.requestObject = this.loggable(structuredClone(obj));
  }

  /** A body not decoded by the handler (scale, delete options): logged from level Request when it parses. */
  requestBody(raw: Buffer, contentType: string | undefined): void {
    if (!levelAtLeast(this.level, 'Request')) return;
    const parsed = parseBody(raw, contentType);
    if (parsed !== undefined) this.requestObject(parsed);
  }

  /** A patch, logged as the request object from level Request (a YAML apply patch as its JSON). */
  requestPatch(raw: Buffer, contentType: string | undefined): void {
    if (!levelAtLeast(this.level, 'Request')) return;
    const parsed = parseBody(raw, contentType);
    if (parsed !== undefined) this.event.requestObject = parsed;
  }

  failedAuthentication(message: string): void {
    this.event.responseStatus = { metadata: {}, message };
    this.statusFixed = true;
  }

  /** The object answered (a Status for errors and deletions). */
  response(code: number, body: unknown): void {
    if (this.statusFixed) {
      this.event.responseStatus!.code = code;
      return;
    }
    const status = body as Partial<AuditResponseStatus> & { kind?: string };
    if (status && typeof status === 'object' && status.kind === 'Status') {
      const rs: AuditResponseStatus = { metadata: {} };
      if (status.status) rs.status = status.status;
      if (status.message) rs.message = status.message;
      if (status.reason) rs.reason = status.reason;
      if (status.details) rs.details = status.details;
      rs.code = status.code ?? code;
      this.event.responseStatus = rs;
    } else {
      this.event.responseStatus = { metadata: {}, code };
    }
    if (this.resourceRequest && this.level === 'RequestResponse') {
      this.event.responseObject = this.config.omitManagedFields ? withoutManagedFields(body) : body;
    }
  }

  /** A pre-encoded answer: parsed only when the level logs response objects. */
  responseText(code: number, text: string | Buffer, contentType: string): void {
    const json = contentType.startsWith('application/json');
    const logged = json && this.resourceRequest && this.level === 'RequestResponse';
    // An error's Status, and an object whose managedFields go, are read; others are logged as they are.
    if (json && (code >= 300 || (logged && this.config.omitManagedFields))) {
      try {
        this.response(code, JSON.parse(text.toString()));
        return;
      } catch {
        // Not JSON after all: the status code alone.
      }
    }
    if (this.statusFixed) this.event.responseStatus!.code = code;
    else this.event.responseStatus = { metadata: {}, code };
    if (logged) this.event.responseObject = new RawJson(text.toString());
  }

  /** The response's header went out: a long-running request's ResponseStarted event. */
  started(code: number): void {
    if (this.startedSent) return;
    this.startedSent = true;
    const rs = (this.event.responseStatus ??= { metadata: {} });
    rs.code ??= code;
    if (this.longRunning) this.emit('ResponseStarted');
  }

  /** The request is over (answered, failed, or its connection closed). */
  complete(headersSent: boolean, statusCode: number): void {
    if (this.completed) return;
    this.completed = true;
    if (this.event.responseStatus === undefined && headersSent)
      this.event.responseStatus = { metadata: {}, code: statusCode };
    if (this.event.responseStatus === undefined) {
      // Nothing was answered (the client went away first): upstream's stand-in status.
      this.event.responseStatus = {
        metadata: {},
        status: 'Success',
        message: 'Connection closed early',
        code: 200,
      };
      if (this.longRunning && !this.startedSent) {
        this.startedSent = true;
        this.emit('ResponseStarted');
      }
    } else if (this.longRunning && !this.startedSent) {
      this.started(this.event.responseStatus.code ?? statusCode);
    }
    this.emit('ResponseComplete');
  }

  emit(stage: AuditStage): void {
    if (this.config.omitStages.includes(stage)) return;
    const ev = this.event;
    ev.stage = stage;
    ev.stageTimestamp = stage === 'RequestReceived' ? ev.requestReceivedTimestamp : microTime(preciseNow());
    this.sink.write(ev);
  }

  private loggable(obj: unknown): unknown {
    return this.config.omitManagedFields ? withoutManagedFields(obj) : obj;
  }
}

/** JSON or YAML text as an object; undefined for protobuf or anything that does not parse. */
function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('protobuf')) return undefined;
  try {
    const text = raw.toString('utf8');
    return type.includes('yaml') ? yaml().parse(text) : JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function auditUser(user: UserInfo): AuditUser {
  const out: AuditUser = user.username ? { username: user.username } : {};
  if (user.uid) out.uid = user.uid;
  if (user.groups.length > 0) out.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) out.extra = user.extra;
  return out;
}

/** A shallow copy without `metadata.managedFields`, for objects, lists and tables (rows' objects). */
function withoutManagedFields(obj: unknown): unknown {
  if (!obj || typeof obj !== 'object') return obj;
  const o = obj as { metadata?: ObjectMetaLike; items?: unknown[]; rows?: { object?: unknown }[] };
  let out = o as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && 'managedFields' in o.metadata) {
    const { managedFields: _dropped, ...metadata } = o.metadata;
    out = { ...out, metadata };
  }
  if (Array.isArray(o.items)) out = { ...out, items: o.items.map(withoutManagedFields) };
  if (Array.isArray(o.rows))
    out = {
      ...out,
      rows: o.rows.map((r) => (r && r.object ? { ...r, object: withoutManagedFields(r.object) } : r)),
    };
  return out;
}
