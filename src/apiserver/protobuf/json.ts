/** Converts decoded protobuf messages to the JSON shape the API carries, and back (for encoding). */
import { isPlainObject } from '../../api/meta.js';
import { decodeEnvelope, PROTOBUF_MAGIC } from './envelope.js';
import { fieldsOf, type FieldInfo } from './schema.js';
import { SPECIAL } from './special.js';

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
