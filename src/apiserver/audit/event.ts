/**
 * audit.k8s.io/v1 Event, with its fields in the order of upstream's Go struct: the JSON log lines read as
 * kube-apiserver's. Timestamps are MicroTime strings (six fractional digits).
 */
import type { AuditLevel, AuditStage } from './policy.js';

export interface AuditUser {
  /** Absent for a request that failed authentication. */
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AuditObjectRef {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

export interface AuditResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: unknown;
  code?: number;
}

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: AuditLevel;
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  user: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: AuditObjectRef;
  responseStatus?: AuditResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

const OBJECT_REF_FIELDS: readonly (keyof AuditObjectRef)[] = [
  'resource',
  'namespace',
  'name',
  'uid',
  'apiGroup',
  'apiVersion',
  'resourceVersion',
  'subresource',
];

/**
 * The event as one JSON line (without the newline), keys in upstream's order, map keys sorted as Go's. Written
 * field by field: building ordered copies first cost an audited GET more than its own JSON.
 */
export function eventJson(ev: AuditEvent): string {
  let out = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"${ev.level}","auditID":${JSON.stringify(ev.auditID)}`;
  out += `,"stage":"${ev.stage}","requestURI":${JSON.stringify(ev.requestURI)},"verb":${JSON.stringify(ev.verb)}`;
  out += `,"user":${userJson(ev.user)}`;
  if (ev.impersonatedUser) out += `,"impersonatedUser":${userJson(ev.impersonatedUser)}`;
  if (ev.sourceIPs) out += `,"sourceIPs":${JSON.stringify(ev.sourceIPs)}`;
  if (ev.userAgent !== undefined) out += `,"userAgent":${JSON.stringify(ev.userAgent)}`;
  if (ev.objectRef) out += `,"objectRef":${JSON.stringify(ordered(ev.objectRef, OBJECT_REF_FIELDS))}`;
  if (ev.responseStatus) out += `,"responseStatus":${JSON.stringify(ev.responseStatus)}`;
  if (ev.requestObject !== undefined) out += `,"requestObject":${JSON.stringify(ev.requestObject)}`;
  if (ev.responseObject !== undefined) {
    const obj = ev.responseObject;
    out += `,"responseObject":${obj instanceof RawJson ? obj.text : JSON.stringify(obj)}`;
  }
  out += `,"requestReceivedTimestamp":"${ev.requestReceivedTimestamp}","stageTimestamp":"${ev.stageTimestamp}"`;
  if (ev.annotations) out += `,"annotations":${JSON.stringify(sortedKeys(ev.annotations))}`;
  return out + '}';
}

function userJson(user: AuditUser): string {
  return JSON.stringify(user.extra ? { ...user, extra: sortedKeys(user.extra) } : user);
}

function ordered<T extends object>(obj: T, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function sortedKeys<V>(map: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const k of Object.keys(map).sort()) out[k] = map[k]!;
  return out;
}

/** An answer's JSON text, logged as it went out rather than parsed and encoded again. */
export class RawJson {
  constructor(readonly text: string) {}
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** Where finished events go: the log file, or the main process for an API worker. */
export interface AuditSink {
  write(event: AuditEvent): void;
}

/** The `2026-12-07T16:05:03` of the last second formatted: most events of a busy second share it. */
let cachedSecond = NaN;
let cachedPrefix = '';

/** Go's MicroTime: RFC 3339 in UTC with microseconds. */
export function microTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  const micros = Math.floor((epochMs - second * 1000) * 1000);
  return `${cachedPrefix}.${String(micros).padStart(6, '0')}Z`;
}

/** The current time in milliseconds since the epoch, with a fraction (for microseconds). */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
