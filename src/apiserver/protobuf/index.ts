/** Decoding of `application/vnd.kubernetes.protobuf` request bodies into plain JSON objects. */
import type { KubeObject } from '../../api/meta.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
export { PROTOBUF_MAGIC } from './envelope.js';
export { messageTypeFor, supportedKinds } from './kinds.js';

/** True for a Content-Type header naming the Kubernetes protobuf encoding (parameters ignored). */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === PROTOBUF_CONTENT_TYPE;
}

/**
 * Decodes a protobuf request body (magic `k8s\0` + runtime.Unknown) into the object exactly as the JSON
 * API would carry it. Unknown kinds and malformed bytes throw ApiError 400 BadRequest, nothing else.
 */
export function decodeProtobufObject(body: Buffer): KubeObject {
  return decodeEnvelope(body);
}

/** Encodes a JSON object as a protobuf body (what Go clients send); for tests and tooling. */
export function encodeProtobufObject(obj: KubeObject): Buffer {
  return encodeEnvelope(obj);
}
