/**
 * Decoding a request body against its kind's schema, as upstream's typed JSON decode does: wrong JSON types
 * are a 400 (encoding/json's UnmarshalTypeError wording), unknown fields are dropped (or reported under
 * fieldValidation=Strict), and nulls mean "unset".
 */
import { badRequest, type ApiError } from '../../api/errors.js';
import type { GroupVersionKind, KubeObject } from '../../api/meta.js';
import { refName, type Schema, type SchemaMap } from './schema-types.js';
import { defaultSchemas } from './schemas-on-demand.js';
import { schemaNameForGvk, type SchemaSet } from './schemas.js';
import {
  duplicateFieldMessage,
  findDuplicateFields,
  strictDecodingError,
  unknownFieldMessage,
  type FieldValidation,
} from './strict-fields.js';

/** Upstream keeps at most this many strict errors per request. */
const MAX_ERRORS = 100;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
// 2^63: JavaScript cannot tell 2^63-1 (valid) from 2^63, so the bound is inclusive.
const INT64_LIMIT = 9223372036854775808;
/** The pattern upstream's ParseQuantity reports when a quantity is malformed. */
const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const QUANTITY_RE = new RegExp(QUANTITY_PATTERN);

type Node =
  | { k: 'any' }
  | { k: 'string' | 'bool' | 'number' | 'time' | 'quantity' | 'intOrString' | 'bytes' }
  | { k: 'int'; goType: 'int32' | 'int64' }
  | { k: 'object'; goType: string; struct: string; props: Record<string, Schema> }
  | { k: 'map'; goType: string; value: Schema }
  | { k: 'array'; goType: string; items: Schema | undefined };

const ANY: Node = { k: 'any' };

/** Go's name for a generated schema: `io.k8s.api.apps.v1.DeploymentSpec` → `v1.DeploymentSpec`. */
function goNameOf(schemaName: string): string {
  const parts = schemaName.split('.');
  return parts.slice(-2).join('.');
}

class Compiler {
  private readonly nodes = new WeakMap<Schema, Node>();
  private readonly goTypes = new WeakMap<Schema, string>();

  constructor(private readonly schemas: SchemaMap) {}

  node(schema: Schema | undefined): Node {
    if (!schema) return ANY;
    let n = this.nodes.get(schema);
    if (!n) {
      n = this.compile(schema);
      this.nodes.set(schema, n);
    }
    return n;
  }

  /** Follow `$ref` / single `allOf` wrappers; returns the target and the last component name seen. */
  private resolve(start: Schema): { s: Schema | undefined; name: string | undefined } {
    let s: Schema | undefined = start;
    let name: string | undefined;
    for (let hops = 0; s && hops < 16; hops++) {
      if (s.$ref) {
        name = refName(s.$ref);
        s = name === undefined ? undefined : this.schemas[name];
      } else if (s.allOf?.length === 1 && !s.properties && !s.type) {
        s = s.allOf[0];
      } else {
        break;
      }
    }
    return { s, name };
  }

  goType(schema: Schema | undefined): string {
    if (!schema) return 'interface {}';
    let t = this.goTypes.get(schema);
    if (t === undefined) {
      t = this.computeGoType(schema);
      this.goTypes.set(schema, t);
    }
    return t;
  }

  private computeGoType(schema: Schema): string {
    const { s, name } = this.resolve(schema);
    const n = this.node(schema);
    switch (n.k) {
      case 'object':
      case 'map':
      case 'array':
        return n.goType;
      case 'int':
        return n.goType;
      case 'string':
        return 'string';
      case 'bytes':
        return '[]uint8';
      case 'bool':
        return 'bool';
      case 'number':
        return 'float64';
      case 'time':
      case 'quantity':
      case 'intOrString':
        return name ? goNameOf(name) : 'string';
      default:
        return s?.type === 'object' && name ? goNameOf(name) : 'interface {}';
    }
  }

  private compile(schema: Schema): Node {
    const { s, name } = this.resolve(schema);
    if (!s || s['x-kubernetes-preserve-unknown-fields']) return ANY;
    if (s['x-kubernetes-int-or-string'] || s.format === 'int-or-string') return { k: 'intOrString' };
    if (s.oneOf) {
      const kinds = s.oneOf.map((o) => o.type).sort();
      if (kinds.join() === 'number,string') return { k: 'quantity' };
      if (kinds.join() === 'integer,string') return { k: 'intOrString' };
      return ANY;
    }
    if (s.properties) {
      const goType = name ? goNameOf(name) : 'struct';
      const struct = name ? (name.split('.').pop() ?? name) : '';
      return { k: 'object', goType, struct, props: s.properties };
    }
    if (typeof s.additionalProperties === 'object') {
      // Filled in lazily: value types may be recursive.
      const node: Node = { k: 'map', goType: '', value: s.additionalProperties };
      this.nodes.set(schema, node);
      node.goType = `map[string]${this.goType(s.additionalProperties)}`;
      return node;
    }
    switch (s.type) {
      case 'array': {
        const node: Node = { k: 'array', goType: '', items: s.items };
        this.nodes.set(schema, node);
        node.goType = `[]${this.goType(s.items)}`;
        return node;
      }
      case 'string':
        if (s.format === 'date-time') return { k: 'time' };
        return s.format === 'byte' ? { k: 'bytes' } : { k: 'string' };
      case 'integer':
        return { k: 'int', goType: s.format === 'int32' ? 'int32' : 'int64' };
      case 'number':
        return { k: 'number' };
      case 'boolean':
        return { k: 'bool' };
      default:
        // An object without declared properties (RawExtension, FieldsV1) holds arbitrary JSON.
        return ANY;
    }
  }
}

const compilers = new WeakMap<SchemaMap, Compiler>();

function compilerFor(schemas: SchemaMap): Compiler {
  let c = compilers.get(schemas);
  if (!c) {
    c = new Compiler(schemas);
    compilers.set(schemas, c);
  }
  return c;
}

function jsonTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/** Thrown inside the walk; turned into the 400 with the kind prefix at the top. */
class DecodeFailure extends Error {}

class Decoder {
  readonly unknown: string[] = [];
  /** Full path for unknown-field messages: names, map keys and array indices (as numbers). */
  private readonly path: (string | number)[] = [];
  /** Struct field names only: upstream's type errors omit indices and map keys. */
  private readonly fields: string[] = [];
  private readonly structs: string[] = [];

  constructor(
    private readonly c: Compiler,
    private readonly collectUnknown: boolean,
  ) {}

  /** Checks `value` against `schema`, pruning inside it. */
  value(value: unknown, schema: Schema | undefined): void {
    const n = this.c.node(schema);
    switch (n.k) {
      case 'any':
        return;
      case 'string':
        if (typeof value !== 'string') this.typeError(jsonTypeOf(value), 'string');
        return;
      case 'bytes':
        if (typeof value !== 'string') this.typeError(jsonTypeOf(value), '[]uint8');
        else {
          const problem = base64Problem(value);
          if (problem) throw new DecodeFailure(problem);
        }
        return;
      case 'bool':
        if (typeof value !== 'boolean') this.typeError(jsonTypeOf(value), 'bool');
        return;
      case 'number':
        if (typeof value !== 'number') this.typeError(jsonTypeOf(value), 'float64');
        return;
      case 'int':
        this.checkInt(value, n.goType);
        return;
      case 'intOrString':
        if (typeof value === 'number') this.checkInt(value, 'int32');
        else if (typeof value !== 'string') this.typeError(jsonTypeOf(value), 'int32');
        return;
      case 'quantity':
        if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string')
          throw new DecodeFailure(`quantities must match the regular expression '${QUANTITY_PATTERN}'`);
        if (typeof value === 'string' && !QUANTITY_RE.test(value.trim()))
          throw new DecodeFailure(`quantities must match the regular expression '${QUANTITY_PATTERN}'`);
        return;
      case 'time':
        if (typeof value !== 'string') this.typeError(jsonTypeOf(value), 'string');
        else {
          const problem = rfc3339Problem(value);
          if (problem) throw new DecodeFailure(problem);
        }
        return;
      case 'array':
        if (!Array.isArray(value)) this.typeError(jsonTypeOf(value), n.goType);
        else this.array(value, n.items);
        return;
      case 'map':
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          this.typeError(jsonTypeOf(value), n.goType);
        else this.map(value as Record<string, unknown>, n.value);
        return;
      case 'object':
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          this.typeError(jsonTypeOf(value), n.goType);
        else this.object(value as Record<string, unknown>, n.struct, n.props);
        return;
    }
  }

  object(obj: Record<string, unknown>, struct: string, props: Record<string, Schema>): void {
    this.structs.push(struct);
    for (const key in obj) {
      const child = obj[key];
      const schema = Object.hasOwn(props, key) ? props[key] : undefined;
      if (!schema) {
        if (this.collectUnknown) {
          const path = this.unknownPath(key);
          if (!this.unknown.includes(path)) this.unknown.push(path);
        }
        delete obj[key];
        continue;
      }
      // A null field is unset, free-form ones included; nulls inside free-form values are kept.
      if (child === null) {
        delete obj[key];
        continue;
      }
      this.path.push(key);
      this.fields.push(key);
      this.value(child, schema);
      this.fields.pop();
      this.path.pop();
    }
    this.structs.pop();
  }

  private map(obj: Record<string, unknown>, valueSchema: Schema): void {
    const n = this.c.node(valueSchema);
    for (const key in obj) {
      const child = obj[key];
      if (child === null) {
        const zero = zeroOf(n);
        if (zero !== undefined) obj[key] = zero;
        continue;
      }
      this.path.push(key);
      this.value(child, valueSchema);
      this.path.pop();
    }
  }

  private array(items: unknown[], itemSchema: Schema | undefined): void {
    const n = this.c.node(itemSchema);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item === null) {
        const zero = zeroOf(n);
        if (zero !== undefined) items[i] = zero;
        continue;
      }
      this.path.push(i);
      this.value(item, itemSchema);
      this.path.pop();
    }
  }

  private checkInt(value: unknown, goType: 'int32' | 'int64'): void {
    if (typeof value !== 'number') return this.typeError(jsonTypeOf(value), goType);
    const ok =
      Number.isInteger(value) &&
      (goType === 'int32'
        ? value >= INT32_MIN && value <= INT32_MAX
        : value >= -INT64_LIMIT && value <= INT64_LIMIT);
    if (!ok) this.typeError(`number ${String(value)}`, goType);
  }

  private typeError(jsonType: string, goType: string): never {
    const struct = this.structs[this.structs.length - 1] ?? '';
    throw new DecodeFailure(
      `json: cannot unmarshal ${jsonType} into Go struct field ${struct}.${this.fields.join('.')} of type ${goType}`,
    );
  }

  private unknownPath(key: string): string {
    let out = '';
    for (const p of this.path) {
      if (typeof p === 'number') out += `[${p}]`;
      else out += out ? `.${p}` : p;
    }
    return out ? `${out}.${key}` : key;
  }
}

/** The value Go leaves for a null list item / map value; undefined = keep the null. */
function zeroOf(n: Node): unknown {
  switch (n.k) {
    case 'object':
      return {};
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
    case 'number':
    case 'intOrString':
      return 0;
    case 'quantity':
      return '0';
    default:
      return undefined;
  }
}

const isNewline = (c: number | undefined): boolean => c === 10 || c === 13;
const isBase64Char = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;

/**
 * Why `value` is not a []byte field's padded standard base64, as Go's base64.StdEncoding.Decode reports it
 * (`illegal base64 data at input byte N`, N a byte offset; newlines are skipped), or undefined when valid.
 */
export function base64Problem(value: string): string | undefined {
  const src = Buffer.from(value, 'utf8');
  const corrupt = (offset: number): string => `illegal base64 data at input byte ${offset}`;
  let si = 0;
  // One quantum (four characters, or fewer before padding) per pass, as decodeQuantum.
  while (si < src.length) {
    let j = 0;
    while (j < 4) {
      if (si === src.length) return j === 0 ? undefined : corrupt(si - j);
      const c = src[si++]!;
      if (isBase64Char(c)) {
        j++;
        continue;
      }
      if (isNewline(c)) continue;
      if (c !== 61 || j < 2) return corrupt(si - 1); // not '=', or padding too early
      if (j === 2) {
        // "==" expected: the second '=' may come after newlines.
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== 61) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      return si < src.length ? corrupt(si) : undefined;
    }
  }
  return undefined;
}

/** Why `value` is not RFC 3339 (Go's `time.Parse(time.RFC3339, …)` wording), or undefined when valid. */
export function rfc3339Problem(value: string): string | undefined {
  const layout = '2006-01-02T15:04:05Z07:00';
  const fail = (rest: string, elem: string): string =>
    `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`;
  const range = (what: string): string => `parsing time ${JSON.stringify(value)}: ${what} out of range`;
  let pos = 0;
  const digits = (elem: string, min: number, max: number): number | string => {
    let end = pos;
    while (
      end < value.length &&
      end - pos < max &&
      value.charCodeAt(end) >= 48 &&
      value.charCodeAt(end) <= 57
    )
      end++;
    if (end - pos < min) return fail(value.slice(pos), elem);
    const n = Number(value.slice(pos, end));
    pos = end;
    return n;
  };
  const literal = (lit: string): string | undefined => {
    if (!value.startsWith(lit, pos)) return fail(value.slice(pos), lit);
    pos += lit.length;
    return undefined;
  };
  const year = digits('2006', 4, 4);
  if (typeof year === 'string') return year;
  const p1 = literal('-');
  if (p1) return p1;
  const month = digits('01', 2, 2);
  if (typeof month === 'string') return month;
  if (month < 1 || month > 12) return range('month');
  const p2 = literal('-');
  if (p2) return p2;
  const day = digits('02', 2, 2);
  if (typeof day === 'string') return day;
  const p3 = literal('T');
  if (p3) return p3;
  const hour = digits('15', 1, 2);
  if (typeof hour === 'string') return hour;
  if (hour > 23) return range('hour');
  const p4 = literal(':');
  if (p4) return p4;
  const minute = digits('04', 2, 2);
  if (typeof minute === 'string') return minute;
  if (minute > 59) return range('minute');
  const p5 = literal(':');
  if (p5) return p5;
  const second = digits('05', 2, 2);
  if (typeof second === 'string') return second;
  if (second > 59) return range('second');
  if (value[pos] === '.' || value[pos] === ',') {
    let end = pos + 1;
    while (end < value.length && value.charCodeAt(end) >= 48 && value.charCodeAt(end) <= 57) end++;
    if (end === pos + 1) return fail(value.slice(pos), 'Z07:00');
    pos = end;
  }
  if (value[pos] === 'Z') pos++;
  else if (value[pos] === '+' || value[pos] === '-') {
    const m = /^[+-](\d\d):(\d\d)/.exec(value.slice(pos));
    if (!m) return fail(value.slice(pos), 'Z07:00');
    if (Number(m[1]) > 23) return range('time zone offset hour');
    if (Number(m[2]) > 59) return range('time zone offset minute');
    pos += 6;
  } else return fail(value.slice(pos), 'Z07:00');
  if (pos < value.length)
    return `parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(value.slice(pos))}`;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return range('day');
  return undefined;
}

export interface DecodeOptions {
  /** The raw JSON text, to report duplicate keys (a decoded object cannot show them). */
  rawJson?: string;
}

function decodeError(gvk: GroupVersionKind, message: string): ApiError {
  return badRequest(
    `${gvk.kind} in version ${JSON.stringify(gvk.version)} cannot be handled as a ${gvk.kind}: ${message}`,
  );
}

/**
 * Decode a full object (create/update body) against the schema of `gvk`, IN PLACE: type mismatches throw
 * upstream's 400 (`Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal …`)
 * in every mode; unknown fields are removed, null fields removed (kept inside free-form values), null list
 * items of objects become `{}`. Under Strict unknown/duplicate fields throw `strictDecodingError`; under Warn
 * they come back as warnings; under Ignore nothing is reported. Kinds without a schema pass through unchanged.
 */
export function decodeAgainstSchema(
  body: unknown,
  gvk: GroupVersionKind,
  mode: FieldValidation,
  set: SchemaSet = defaultSchemas(),
  opts: DecodeOptions = {},
): { object: KubeObject; warnings: string[] } {
  const name = schemaNameForGvk(set, gvk);
  const root = name === undefined ? undefined : set.schemas[name];
  const compiler = compilerFor(set.schemas);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const goType = name ? goNameOf(name) : gvk.kind;
    throw decodeError(gvk, `json: cannot unmarshal ${jsonTypeOf(body)} into Go value of type ${goType}`);
  }
  const obj = body as Record<string, unknown>;
  const node = compiler.node(root);
  const report = mode !== 'Ignore';
  const decoder = new Decoder(compiler, report);
  if (node.k === 'object') {
    try {
      decoder.object(obj, node.struct || gvk.kind, node.props);
    } catch (err) {
      if (err instanceof DecodeFailure) throw decodeError(gvk, err.message);
      throw err;
    }
  }
  const messages: string[] = [];
  if (report) {
    for (const p of decoder.unknown) messages.push(unknownFieldMessage(p));
    if (opts.rawJson !== undefined) {
      for (const p of findDuplicateFields(opts.rawJson)) messages.push(duplicateFieldMessage(p));
    }
  }
  if (messages.length > MAX_ERRORS) messages.length = MAX_ERRORS;
  if (mode === 'Strict' && messages.length > 0) throw strictDecodingError(messages, gvk);
  return { object: obj, warnings: messages };
}
