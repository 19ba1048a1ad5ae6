import type { IncomingMessage } from 'node:http';
import { yaml } from '../../util/yaml.js';
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';

/** Upstream's default max request body size for non-patch writes. */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/** The request body, refused past `limit` bytes. Listeners rather than an async iterator: cheaper per request. */
export function readBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(requestEntityTooLarge(limit));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.resume();
        reject(requestEntityTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onClose = (): void => {
      done();
      reject(new Error('the client closed the connection before the request body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

export type ProtobufDecoder = (body: Buffer) => Promise<KubeObject>;

export const OBJECT_MEDIA_TYPES = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
];

/** Decode a create/update body into an object. A missing Content-Type means JSON (kubectl scale sends none). */
export async function decodeObjectBody(
  contentType: string | undefined,
  body: Buffer,
  protobuf?: ProtobufDecoder,
  kind = 'Object',
): Promise<KubeObject> {
  const unrecognized = `the object provided is unrecognized (must be of type ${kind})`;
  const type = mediaType(contentType);
  let value: unknown;
  switch (type) {
    case '':
    case 'application/json':
      value = parseJson(body, `${unrecognized}: couldn't get version/kind; json parse error`);
      break;
    case 'application/yaml':
    case 'application/apply-patch+yaml':
      value = parseYaml(body, unrecognized);
      break;
    case 'application/vnd.kubernetes.protobuf':
      if (!protobuf) throw unsupportedMediaType(OBJECT_MEDIA_TYPES);
      return protobuf(body);
    default:
      throw unsupportedMediaType(OBJECT_MEDIA_TYPES);
  }
  if (!isPlainObject(value)) {
    throw badRequest(`Object 'Kind' is missing in '${truncate(body.toString('utf8'))}'`);
  }
  return value;
}

export function parseJson(body: Buffer, context = 'error decoding JSON'): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`${context}: ${(err as Error).message}`);
  }
}

export function parseYaml(body: Buffer, context?: string): unknown {
  const prefix = context ? `${context}: ` : '';
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  const docs = yaml().parseAllDocuments(text);
  if (!Array.isArray(docs)) throw badRequest(`${prefix}error converting YAML to JSON: empty document`);
  const real = docs.filter((d) => d.contents !== null);
  if (real.length !== 1)
    throw badRequest(`${prefix}error converting YAML to JSON: expected exactly one YAML document`);
  const doc = real[0]!;
  if (doc.errors.length > 0)
    throw badRequest(`${prefix}error converting YAML to JSON: ${doc.errors[0]!.message}`);
  return doc.toJSON();
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}
