/** Converts decoded protobuf messages to the JSON shape the API carries, and back (for encoding). */
import protobuf from 'protobufjs';
import { badRequest, isApiError } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import { fieldsOf, hasType, lookupType, type FieldInfo } from './schema.js';
import { SPECIAL } from './special.js';
import './types/index.js';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** apiVersion → the namespace holding that group-version's messages, and the kinds that are top-level objects. */
const KINDS: Record<string, { ns: string; kinds: string[] }> = {
  v1: {
    ns: 'core',
    kinds: [
      'Namespace',
      'Secret',
      'ConfigMap',
      'Service',
      'ServiceAccount',
      'ResourceQuota',
      'LimitRange',
      'Pod',
      'PodTemplate',
      'Endpoints',
      'Event',
      'Node',
      'PersistentVolumeClaim',
      'ReplicationController',
    ],
  },
  'apps/v1': {
    ns: 'apps',
    kinds: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'],
  },
  'batch/v1': { ns: 'batch', kinds: ['Job', 'CronJob'] },
  'autoscaling/v1': { ns: 'autoscaling', kinds: ['HorizontalPodAutoscaler', 'Scale'] },
  'autoscaling/v2': { ns: 'autoscalingv2', kinds: ['HorizontalPodAutoscaler'] },
  'policy/v1': { ns: 'policy', kinds: ['PodDisruptionBudget', 'Eviction'] },
  'rbac.authorization.k8s.io/v1': {
    ns: 'rbac',
    kinds: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  },
  'networking.k8s.io/v1': { ns: 'networking', kinds: ['Ingress', 'IngressClass', 'NetworkPolicy'] },
  'scheduling.k8s.io/v1': { ns: 'scheduling', kinds: ['PriorityClass'] },
  'coordination.k8s.io/v1': { ns: 'coordination', kinds: ['Lease'] },
  'discovery.k8s.io/v1': { ns: 'discovery', kinds: ['EndpointSlice'] },
  'storage.k8s.io/v1': { ns: 'storage', kinds: ['StorageClass'] },
  'authorization.k8s.io/v1': {
    ns: 'authorization',
    kinds: [
      'SelfSubjectAccessReview',
      'SelfSubjectRulesReview',
      'SubjectAccessReview',
      'LocalSubjectAccessReview',
    ],
  },
  'authentication.k8s.io/v1': {
    ns: 'authentication',
    kinds: ['SelfSubjectReview', 'TokenReview', 'TokenRequest'],
  },
};

/** The message type for apiVersion+kind, or undefined when this server cannot decode it. */
export function messageTypeFor(apiVersion: string, kind: string): string | undefined {
  const gv = KINDS[apiVersion];
  if (!gv || !gv.kinds.includes(kind)) return undefined;
  const name = `${gv.ns}.${kind}`;
  return hasType(name) ? name : undefined;
}

/** Every apiVersion/kind pair decodeProtobufObject accepts. */
export function supportedKinds(): { apiVersion: string; kind: string }[] {
  return Object.entries(KINDS).flatMap(([apiVersion, gv]) => gv.kinds.map((kind) => ({ apiVersion, kind })));
}

function isZero(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isPlainObject(v) && Object.keys(v).length === 0;
}

function valueToJson(field: FieldInfo, v: unknown): unknown {
  if (!field.message) return v;
  const special = SPECIAL[field.type];
  const obj = isPlainObject(v) ? v : {};
  if (field.type === 'meta.RawExtension') return rawExtensionToJson(obj);
  return special ? special.toJson(obj) : messageToJson(field.type, obj);
}

function rawExtensionToJson(obj: Record<string, unknown>): unknown {
  const bytes = Buffer.from(typeof obj.raw === 'string' ? obj.raw : '', 'base64');
  if (bytes.subarray(0, 4).equals(PROTOBUF_MAGIC)) return decodeEnvelope(bytes);
  return SPECIAL['meta.RawExtension']?.toJson(obj);
}

/** JSON for one decoded message (a protobufjs plain object), applying Go's omitempty rules. */
export function messageToJson(typeName: string, msg: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fieldsOf(typeName)) {
    const raw = msg[field.name];
    if (raw === undefined || raw === null) continue;
    let v: unknown;
    if (field.map) {
      const entries = Object.entries(isPlainObject(raw) ? raw : {});
      v = Object.fromEntries(entries.map(([k, x]) => [k, valueToJson(field, x)]));
    } else if (field.repeated) {
      v = (Array.isArray(raw) ? raw : []).map((x) => valueToJson(field, x));
    } else {
      v = valueToJson(field, raw);
    }
    if (field.inline) {
      if (isPlainObject(v)) Object.assign(out, v);
    } else if (field.pointer || field.always ? v !== null : !isZero(v)) {
      out[field.name] = v;
    }
  }
  return out;
}

function valueFromJson(field: FieldInfo, v: unknown): unknown {
  if (!field.message) {
    if (field.type === 'bytes') return Buffer.from(typeof v === 'string' ? v : '', 'base64');
    return v;
  }
  const special = SPECIAL[field.type];
  if (special) return special.fromJson(v);
  return messageFromJson(field.type, isPlainObject(v) ? v : {});
}

/** The protobufjs plain object for JSON of one message: the inverse of messageToJson. */
export function messageFromJson(typeName: string, json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fieldsOf(typeName)) {
    if (field.inline) {
      out[field.name] = messageFromJson(field.type, json);
      continue;
    }
    const v = json[field.name];
    if (v === undefined || v === null) continue;
    if (field.map) {
      const entries = Object.entries(isPlainObject(v) ? v : {});
      out[field.name] = Object.fromEntries(entries.map(([k, x]) => [k, valueFromJson(field, x)]));
    } else if (field.repeated) {
      out[field.name] = (Array.isArray(v) ? v : []).map((x) => valueFromJson(field, x));
    } else {
      out[field.name] = valueFromJson(field, v);
    }
  }
  return out;
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, bytes: String, defaults: false };

function decodeMessage(typeName: string, bytes: Uint8Array): Record<string, unknown> {
  const type = lookupType(typeName);
  // A plain Uint8Array gets protobufjs' bounds-checked reader; its Node Buffer reader truncates short strings.
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return type.toObject(type.decode(protobuf.Reader.create(view)), TO_OBJECT);
}

/** Decodes `k8s\0` + runtime.Unknown into the object's JSON form. Throws only ApiError. */
export function decodeEnvelope(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw badRequest('the protobuf body does not start with the Kubernetes magic prefix "k8s\\x00"');
  }
  let apiVersion = '';
  let kind = '';
  try {
    const unknown = decodeMessage('meta.Unknown', body.subarray(4));
    const typeMeta = isPlainObject(unknown.typeMeta) ? unknown.typeMeta : {};
    apiVersion = typeof typeMeta.apiVersion === 'string' ? typeMeta.apiVersion : '';
    kind = typeof typeMeta.kind === 'string' ? typeMeta.kind : '';
    if (!kind) throw badRequest("Object 'Kind' is missing in protobuf request body");
    const typeName = messageTypeFor(apiVersion, kind);
    if (!typeName) {
      throw badRequest(
        `no kind "${kind}" is registered for version "${apiVersion}" in protobuf request body`,
      );
    }
    const encoding = typeof unknown.contentEncoding === 'string' ? unknown.contentEncoding : '';
    if (encoding) throw badRequest(`unsupported protobuf content encoding "${encoding}"`);
    const raw = Buffer.from(typeof unknown.raw === 'string' ? unknown.raw : '', 'base64');
    const obj = messageToJson(typeName, decodeMessage(typeName, raw));
    return { apiVersion, kind, ...obj };
  } catch (err) {
    if (isApiError(err)) throw err;
    const what = kind ? `${kind} (${apiVersion})` : 'runtime.Unknown';
    const why = err instanceof Error ? err.message : String(err);
    throw badRequest(`unable to decode protobuf ${what}: ${why}`);
  }
}

/** Encodes a JSON object as `k8s\0` + runtime.Unknown, as a Go client would send it. */
export function encodeEnvelope(obj: KubeObject): Buffer {
  const apiVersion = obj.apiVersion ?? '';
  const kind = obj.kind ?? '';
  const typeName = messageTypeFor(apiVersion, kind);
  if (!typeName) throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}"`);
  const type = lookupType(typeName);
  const raw = type.encode(type.fromObject(messageFromJson(typeName, obj))).finish();
  const unknownType = lookupType('meta.Unknown');
  const unknown = unknownType.fromObject({ typeMeta: { apiVersion, kind }, raw });
  return Buffer.concat([PROTOBUF_MAGIC, unknownType.encode(unknown).finish()]);
}
