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

const EVENT_FIELDS: readonly (keyof AuditEvent)[] = [
  'kind',
  'apiVersion',
  'level',
  'auditID',
  'stage',
  'requestURI',
  'verb',
  'user',
  'impersonatedUser',
  'sourceIPs',
  'userAgent',
  'objectRef',
  'responseStatus',
  'requestObject',
  'responseObject',
  'requestReceivedTimestamp',
  'stageTimestamp',
  'annotations',
];
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

/** The event as one JSON line (without the newline), keys in upstream's order, map keys sorted as Go's. */
export function eventJson(ev: AuditEvent): string {
  const out: Record<string, unknown> = {};
  for (const key of EVENT_FIELDS) {
    const value = ev[key];
    if (value === undefined) continue;
    if (key === 'objectRef') out[key] = ordered(value as AuditObjectRef, OBJECT_REF_FIELDS);
    else if (key === 'annotations') out[key] = sortedKeys(value as Record<string, string>);
    else if (key === 'user' || key === 'impersonatedUser') out[key] = userJson(value as AuditUser);
    else out[key] = value;
  }
  return JSON.stringify(out);
}

function userJson(user: AuditUser): AuditUser {
  return user.extra ? { ...user, extra: sortedKeys(user.extra) } : user;
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

/** Where finished events go: the log file, or the main process for an API worker. */
export interface AuditSink {
  write(event: AuditEvent): void;
}

/** Go's MicroTime: RFC 3339 in UTC with microseconds. */
export function microTime(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const micros = Math.floor((epochMs - whole) * 1000);
  const iso = new Date(whole).toISOString(); // 2026-12-07T16:05:03.123Z
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

/** The current time in milliseconds since the epoch, with a fraction (for microseconds). */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
