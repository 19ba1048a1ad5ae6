/** The `k8s\0` + runtime.Unknown envelope around every protobuf body. */
import protobuf from 'protobufjs';
import { badRequest, isApiError } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import { messageFromJson, messageToJson } from './json.js';
import { messageTypeFor } from './kinds.js';
import { lookupType } from './schema.js';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, bytes: String, defaults: false };

function decodeMessage(typeName: string, bytes: Uint8Array): Record<string, unknown> {
  const type = lookupType(typeName);
  // A plain Uint8Array gets protobufjs' bounds-checked reader; its Node Buffer reader truncates short strings.
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return type.toObject(type.decode(protobuf.Reader.create(view)), TO_OBJECT);
}

/** RawExtensions may hold further envelopes; decoding is synchronous, so a module counter bounds the depth. */
const MAX_NESTING = 8;
let nesting = 0;

/** Decodes `k8s\0` + runtime.Unknown into the object's JSON form. Throws only ApiError. */
export function decodeEnvelope(body: Buffer): KubeObject {
  if (nesting >= MAX_NESTING) throw badRequest('protobuf objects are nested too deeply');
  nesting++;
  try {
    return decodeOne(body);
  } finally {
    nesting--;
  }
}

function decodeOne(body: Buffer): KubeObject {
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
