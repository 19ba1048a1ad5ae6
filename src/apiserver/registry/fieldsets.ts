import { badRequest, type ApiError } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import { eventsV1ToCore } from './conversion/events.js';

/** Field-selector values of one object, e.g. `{ 'metadata.name': 'web-1', 'spec.nodeName': 'node-1' }`. */
export type FieldSet = (obj: KubeObject) => Record<string, string>;

type Obj = Record<string, any>;

function rec(value: unknown): Obj {
  return isPlainObject(value) ? value : {};
}

function s(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function n(value: unknown): string {
  return String(typeof value === 'number' ? value : 0);
}

function meta(obj: KubeObject, namespaced: boolean): Record<string, string> {
  const out: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (namespaced) out['metadata.namespace'] = obj.metadata?.namespace ?? '';
  return out;
}

function podFields(pod: KubeObject): Record<string, string> {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const podIPs = Array.isArray(status.podIPs) ? (status.podIPs as unknown[]) : [];
  return {
    ...meta(pod, true),
    'spec.nodeName': s(spec.nodeName),
    'spec.restartPolicy': s(spec.restartPolicy),
    'spec.schedulerName': s(spec.schedulerName),
    'spec.serviceAccountName': s(spec.serviceAccountName),
    'spec.hostNetwork': String(spec.hostNetwork === true),
    'status.phase': s(status.phase),
    // The internal type fills podIPs from podIP, so the first of either counts.
    'status.podIP': s(rec(podIPs[0]).ip) || s(status.podIP),
    'status.nominatedNodeName': s(status.nominatedNodeName),
  };
}

function coreEventFields(event: KubeObject): Record<string, string> {
  const ref = rec(event.involvedObject);
  return {
    ...meta(event, true),
    'involvedObject.kind': s(ref.kind),
    'involvedObject.namespace': s(ref.namespace),
    'involvedObject.name': s(ref.name),
    'involvedObject.uid': s(ref.uid),
    'involvedObject.apiVersion': s(ref.apiVersion),
    'involvedObject.resourceVersion': s(ref.resourceVersion),
    'involvedObject.fieldPath': s(ref.fieldPath),
    reason: s(event.reason),
    reportingComponent: s(event.reportingComponent),
    // events written through events.k8s.io carry only a reporting controller
    source: s(rec(event.source).component) || s(event.reportingComponent),
    type: s(event.type),
  };
}

function toCoreEvent(event: KubeObject): KubeObject {
  return s(event.apiVersion).startsWith('events.k8s.io/') ? eventsV1ToCore(event) : event;
}

/** events.k8s.io names the same fields `regarding.*` and `reportingController`. */
function eventsV1Fields(input: KubeObject): Record<string, string> {
  const core = coreEventFields(toCoreEvent(input));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(core)) {
    if (k.startsWith('involvedObject.')) out[`regarding.${k.slice('involvedObject.'.length)}`] = v;
    else if (k === 'reportingComponent') out.reportingController = v;
    else out[k] = v;
  }
  return out;
}

/**
 * Selectable fields per resource (keyed like `replicasets.apps`, core resources bare), as upstream's
 * registry GetAttrs/ToSelectableFields. Resources not listed select on metadata.name and metadata.namespace only.
 */
export const fieldSets: Record<string, FieldSet> = {
  pods: podFields,
  events: (e) => coreEventFields(toCoreEvent(e)),
  'events.events.k8s.io': eventsV1Fields,
  secrets: (o) => ({ ...meta(o, true), type: s(o.type) }),
  nodes: (o) => ({ ...meta(o, false), 'spec.unschedulable': String(rec(o.spec).unschedulable === true) }),
  namespaces: (o) => ({ ...meta(o, false), 'status.phase': s(rec(o.status).phase) }),
  services: (o) => ({
    ...meta(o, true),
    'spec.clusterIP': s(rec(o.spec).clusterIP),
    'spec.type': s(rec(o.spec).type),
  }),
  replicationcontrollers: (o) => ({ ...meta(o, true), 'status.replicas': n(rec(o.status).replicas) }),
  'replicasets.apps': (o) => ({ ...meta(o, true), 'status.replicas': n(rec(o.status).replicas) }),
  'jobs.batch': (o) => ({ ...meta(o, true), 'status.successful': n(rec(o.status).succeeded) }),
  'certificatesigningrequests.certificates.k8s.io': (o) => ({
    ...meta(o, false),
    'spec.signerName': s(rec(o.spec).signerName),
  }),
};

/** Old clients' spelling accepted upstream: `spec.host` means `spec.nodeName` for pods. */
const LABEL_ALIASES: Record<string, Record<string, string>> = { pods: { 'spec.host': 'spec.nodeName' } };

const DEFAULT_LABELS = ['metadata.name', 'metadata.namespace'];

/** The field-selector values of obj; metadata.name/namespace for resources without their own set. */
export function fieldsOf(resource: string, obj: KubeObject): Record<string, string> {
  const fn = fieldSets[resource];
  return fn
    ? fn(obj)
    : { 'metadata.name': obj.metadata?.name ?? '', 'metadata.namespace': obj.metadata?.namespace ?? '' };
}

/** The field labels a selector on this resource may use. */
export function supportedFieldLabels(resource: string): string[] {
  const fn = fieldSets[resource];
  return fn ? Object.keys(fn({ metadata: {} })) : [...DEFAULT_LABELS];
}

/** Upstream's 400 for a field the resource cannot select on. */
export function fieldLabelConversionError(resource: string, field: string): ApiError {
  if (fieldSets[resource]) return badRequest(`field label not supported: ${field}`);
  return badRequest(`"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
}

/** Maps a requested label to the canonical one, or throws fieldLabelConversionError. */
export function convertFieldLabel(resource: string, field: string): string {
  const label = LABEL_ALIASES[resource]?.[field] ?? field;
  if (supportedFieldLabels(resource).includes(label)) return label;
  throw fieldLabelConversionError(resource, field);
}
