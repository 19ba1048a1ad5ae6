/**
 * A compact way to declare Kubernetes protobuf messages with protobufjs reflection, plus the
 * field facts protobuf itself does not carry (Go pointer-ness, JSON inlining) that decide the JSON shape.
 *
 * A field is declared as `"<number> <type>"`; the type may be prefixed with
 *   `*`   a pointer upstream: present zero values are kept in JSON
 *   `[]`  repeated
 *   `{}`  map<string, type>
 *   `...` an embedded struct whose fields JSON inlines into the parent
 *   `!`   a scalar without `omitempty` upstream: zero values stay in JSON
 * Types without a dot are looked up in the declaring namespace; `meta.Time` etc. are absolute.
 */
import protobuf from 'protobufjs';

export type MessageDecls = Record<string, Record<string, string>>;

export interface FieldInfo {
  name: string;
  id: number;
  /** Scalar name or fully qualified message name (no leading dot). */
  type: string;
  repeated: boolean;
  map: boolean;
  pointer: boolean;
  inline: boolean;
  /** JSON tag without omitempty: a zero scalar is still written. */
  always: boolean;
  message: boolean;
}

const SCALARS = new Set(['string', 'int32', 'int64', 'uint32', 'uint64', 'bool', 'bytes', 'double', 'float']);

export const root = new protobuf.Root();
const fieldsByType = new Map<string, FieldInfo[]>();

function parseField(ns: string, name: string, decl: string): FieldInfo {
  const m = /^(\d+) (\*|\[\]|\{\}|\.\.\.|!)?([A-Za-z0-9_.]+)$/.exec(decl);
  if (!m) throw new Error(`bad field declaration ${ns}.${name}: ${decl}`);
  const [, id = '', mod = '', rawType = ''] = m;
  const scalar = SCALARS.has(rawType);
  const type = scalar || rawType.includes('.') ? rawType : `${ns}.${rawType}`;
  return {
    name,
    id: Number(id),
    type,
    repeated: mod === '[]',
    map: mod === '{}',
    pointer: mod === '*',
    inline: mod === '...',
    always: mod === '!',
    message: !scalar,
  };
}

/** Declares the messages of one namespace (e.g. `core`, `apps`) in the shared root. */
export function declare(ns: string, messages: MessageDecls): void {
  const namespace = root.lookup(ns) ?? root.define(ns);
  if (!(namespace instanceof protobuf.Namespace)) throw new Error(`${ns} is not a namespace`);
  for (const [typeName, fields] of Object.entries(messages)) {
    const type = new protobuf.Type(typeName);
    const infos: FieldInfo[] = [];
    for (const [fieldName, decl] of Object.entries(fields)) {
      const info = parseField(ns, fieldName, decl);
      const pbType = info.message ? `.${info.type}` : info.type;
      if (info.map) type.add(new protobuf.MapField(fieldName, info.id, 'string', pbType));
      else type.add(new protobuf.Field(fieldName, info.id, pbType, info.repeated ? 'repeated' : 'optional'));
      infos.push(info);
    }
    namespace.add(type);
    fieldsByType.set(`${ns}.${typeName}`, infos);
  }
}

export function fieldsOf(typeName: string): FieldInfo[] {
  const fields = fieldsByType.get(typeName);
  if (!fields) throw new Error(`undeclared message ${typeName}`);
  return fields;
}

export function hasType(typeName: string): boolean {
  return fieldsByType.has(typeName);
}

let resolved = false;
export function lookupType(typeName: string): protobuf.Type {
  if (!resolved) {
    root.resolveAll();
    resolved = true;
  }
  return root.lookupType(typeName);
}
