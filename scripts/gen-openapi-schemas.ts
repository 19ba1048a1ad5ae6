/**
 * Generates OpenAPI v3 component schemas for the kinds the API server serves, from the TypeScript
 * declarations (and their JSDoc) in the `kubernetes-types` package, using the TypeScript compiler API.
 * Output: generated/k8s-schemas.json. Run: node --import tsx scripts/gen-openapi-schemas.ts [outFile]
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import {
  INT_OR_STRING,
  META_V1,
  QUANTITY,
  SERVED_KINDS,
  packageOfGroup,
  schemaNameFor,
} from '../src/apiserver/openapi/kinds.js';
import {
  refTo,
  type Schema,
  type SchemaFile,
  type SchemaMap,
} from '../src/apiserver/openapi/schema-types.js';
import { parseApiVersion } from '../src/api/meta.js';

const require = createRequire(import.meta.url);

/** Properties that upstream declares as int64; every other integer is int32. */
const INT64_FIELDS = new Set([
  'activeDeadlineSeconds',
  'deletionGracePeriodSeconds',
  'expirationSeconds',
  'fsGroup',
  'generation',
  'gracePeriodSeconds',
  'observedGeneration',
  'remainingItemCount',
  'revision',
  'runAsGroup',
  'runAsUser',
  'startingDeadlineSeconds',
  'supplementalGroups',
  'terminationGracePeriodSeconds',
]);

/** Properties that upstream declares as []byte: base64 strings in JSON (`format: byte`). */
const BYTE_FIELDS = new Set(['caBundle']);

/** Time-like aliases are strings with format date-time, as upstream. */
const DATE_TIME_ALIASES = new Set([`${META_V1}.Time`, `${META_V1}.MicroTime`]);

const INT_OR_STRING_SCHEMA: Schema = {
  description:
    'IntOrString holds either an int32 or a string. In JSON and YAML it is written as the bare number or string, so a field of this type accepts, for example, a port number or a port name.',
  format: 'int-or-string',
  oneOf: [{ type: 'integer' }, { type: 'string' }],
  'x-kubernetes-int-or-string': true,
};

/** Schema-name prefix (upstream Go package path) for a declaration file of kubernetes-types. */
function packagePrefix(relFile: string): string {
  const mod = relFile
    .replace(/\.d\.ts$/, '')
    .split(path.sep)
    .join('/');
  if (mod === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (mod === 'version') return 'io.k8s.apimachinery.pkg.version';
  if (mod === 'api/resource') return 'io.k8s.apimachinery.pkg.api.resource';
  const [dir, version] = mod.split('/');
  if (dir === 'meta') return `io.k8s.apimachinery.pkg.apis.meta.${version}`;
  if (dir === 'apiextensions') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}`;
  return `io.k8s.api.${dir}.${version}`;
}

type Decl = ts.InterfaceDeclaration | ts.TypeAliasDeclaration;

class SchemaGenerator {
  private readonly checker: ts.TypeChecker;
  private readonly nameOfDecl = new Map<Decl, string>();
  private readonly declOfName = new Map<string, Decl>();
  private readonly schemas: SchemaMap = {};
  private readonly pending: string[] = [];
  readonly warnings: string[] = [];

  constructor(
    private readonly program: ts.Program,
    private readonly pkgDir: string,
  ) {
    this.checker = program.getTypeChecker();
    for (const sf of program.getSourceFiles()) {
      const rel = path.relative(pkgDir, sf.fileName);
      if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
      const prefix = packagePrefix(rel);
      for (const st of sf.statements) {
        if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
          const name = `${prefix}.${st.name.text}`;
          this.nameOfDecl.set(st, name);
          this.declOfName.set(name, st);
        }
      }
    }
  }

  has(name: string): boolean {
    return this.declOfName.has(name);
  }

  /** Generate `name` and everything it references. */
  add(name: string): void {
    this.want(name);
    for (let next = this.pending.pop(); next !== undefined; next = this.pending.pop()) {
      this.schemas[next] = this.build(next);
    }
  }

  result(): SchemaMap {
    const sorted: SchemaMap = {};
    for (const k of Object.keys(this.schemas).sort()) sorted[k] = this.schemas[k] as Schema;
    return sorted;
  }

  private want(name: string): void {
    if (name in this.schemas || this.pending.includes(name)) return;
    if (name === INT_OR_STRING) {
      this.schemas[name] = INT_OR_STRING_SCHEMA;
      return;
    }
    this.schemas[name] = {}; // placeholder; guards against cycles
    this.pending.push(name);
  }

  private build(name: string): Schema {
    const decl = this.declOfName.get(name);
    if (!decl) throw new Error(`no declaration for ${name}`);
    const description = this.docOf(decl.name);
    if (ts.isTypeAliasDeclaration(decl)) return this.aliasSchema(name, decl, description);

    const schema: Schema = {};
    if (description) schema.description = description;
    schema.type = 'object';
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    const literals: Record<string, string> = {};
    for (const member of decl.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const prop = propertyName(member.name);
      if (prop === undefined) continue;
      if (ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal)) {
        literals[prop] = member.type.literal.text;
      }
      properties[prop] = this.propertySchema(prop, member.type, this.docOf(member.name));
      if (!member.questionToken) required.push(prop);
    }
    if (Object.keys(properties).length > 0) schema.properties = properties;
    if (required.length > 0) schema.required = required;
    const { apiVersion, kind } = literals;
    if (apiVersion !== undefined && kind !== undefined) {
      const { group, version } = parseApiVersion(apiVersion);
      schema['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
    }
    return schema;
  }

  private aliasSchema(name: string, decl: ts.TypeAliasDeclaration, description: string): Schema {
    const schema: Schema = {};
    if (description) schema.description = description;
    if (name === QUANTITY) {
      // Upstream v3 (Quantity.OpenAPIV3OneOfTypes): a string such as "500m" or a bare number.
      schema.oneOf = [{ type: 'string' }, { type: 'number' }];
      return schema;
    }
    if (DATE_TIME_ALIASES.has(name)) return { ...schema, type: 'string', format: 'date-time' };
    return { ...schema, ...this.typeSchema(decl.type, 'item') };
  }

  private propertySchema(prop: string, node: ts.TypeNode, description: string): Schema {
    const t = this.typeSchema(node, 'property');
    if (t.type === 'integer' && INT64_FIELDS.has(prop)) t.format = 'int64';
    if (t.type === 'string' && BYTE_FIELDS.has(prop)) t.format = 'byte';
    if (t.type === 'array' && t.items?.type === 'integer' && INT64_FIELDS.has(prop)) t.items.format = 'int64';
    const out: Schema = t.$ref ? { allOf: [{ $ref: t.$ref }] } : t;
    if (description) out.description = description;
    return out;
  }

  /** Schema for a type node. `item` marks array items and map values, which upstream gives zero-value defaults. */
  private typeSchema(node: ts.TypeNode, where: 'property' | 'item'): Schema {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return where === 'item' ? { type: 'string', default: '' } : { type: 'string' };
      case ts.SyntaxKind.NumberKeyword:
        return { type: 'integer', format: 'int32' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.LiteralType:
        return { type: 'string' };
      default:
        break;
    }
    if (ts.isParenthesizedTypeNode(node)) return this.typeSchema(node.type, where);
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.typeSchema(node.elementType, 'item') };
    if (ts.isUnionTypeNode(node)) {
      const kinds = new Set(node.types.map((t) => t.kind));
      if (
        kinds.has(ts.SyntaxKind.NumberKeyword) &&
        kinds.has(ts.SyntaxKind.StringKeyword) &&
        kinds.size === 2
      ) {
        this.want(INT_OR_STRING);
        return { $ref: refTo(INT_OR_STRING) };
      }
      // "A schema or a boolean / string list" (JSONSchemaPropsOrBool & co): any JSON value, as upstream.
      const orSchema = node.types.some(ts.isTypeReferenceNode);
      const others = node.types.filter((t) => !ts.isTypeReferenceNode(t));
      if (orSchema && others.every((t) => t.kind === ts.SyntaxKind.BooleanKeyword || ts.isArrayTypeNode(t))) {
        return { 'x-kubernetes-preserve-unknown-fields': true };
      }
    }
    if (ts.isTypeLiteralNode(node)) {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      if (index) return { type: 'object', additionalProperties: this.typeSchema(index.type, 'item') };
    }
    if (ts.isTypeReferenceNode(node)) {
      if (ts.isIdentifier(node.typeName) && node.typeName.text === 'Array' && node.typeArguments?.[0]) {
        return { type: 'array', items: this.typeSchema(node.typeArguments[0], 'item') };
      }
      const target = this.resolve(node.typeName);
      if (target) {
        this.want(target.name);
        const isStruct = ts.isInterfaceDeclaration(target.decl);
        if (where === 'item' && isStruct) return { allOf: [{ $ref: refTo(target.name) }], default: {} };
        return { $ref: refTo(target.name) };
      }
    }
    this.warnings.push(`unsupported type ${node.getText()} at ${node.getSourceFile().fileName}`);
    return {};
  }

  private resolve(name: ts.EntityName): { name: string; decl: Decl } | undefined {
    let sym = this.checker.getSymbolAtLocation(name);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    for (const d of sym?.declarations ?? []) {
      if (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)) {
        const schemaName = this.nameOfDecl.get(d);
        if (schemaName) return { name: schemaName, decl: d };
      }
    }
    return undefined;
  }

  private docOf(name: ts.Node): string {
    const sym = this.checker.getSymbolAtLocation(name);
    return sym ? ts.displayPartsToString(sym.getDocumentationComment(this.checker)).trim() : '';
  }
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  return undefined;
}

/** Root schema names: every served kind, its List, and the meta types the path operations reference. */
export function rootSchemaNames(): string[] {
  const roots = new Set<string>();
  for (const k of SERVED_KINDS) {
    roots.add(schemaNameFor(k));
    roots.add(`${schemaNameFor(k)}List`);
  }
  for (const meta of ['Status', 'DeleteOptions', 'APIResourceList', 'WatchEvent', 'Patch'])
    roots.add(`${META_V1}.${meta}`);
  return [...roots];
}

export function generateSchemas(): { file: SchemaFile; warnings: string[] } {
  const pkgJson = require.resolve('kubernetes-types/package.json');
  const pkgDir = path.dirname(pkgJson);
  const { version } = JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string };
  const files = new Set<string>();
  for (const k of SERVED_KINDS) files.add(path.join(pkgDir, packageOfGroup(k.group), `${k.version}.d.ts`));
  files.add(path.join(pkgDir, 'meta', 'v1.d.ts'));
  const program = ts.createProgram([...files], {
    noLib: true,
    types: [],
    skipLibCheck: true,
    noResolve: false,
  });
  const gen = new SchemaGenerator(program, pkgDir);
  for (const name of rootSchemaNames()) if (gen.has(name)) gen.add(name);
  if (gen.has(`${API_EXTENSIONS_V1}.ValidationRule`)) gen.add(`${API_EXTENSIONS_V1}.ValidationRule`);
  const schemas = gen.result();
  completeJsonSchemaProps(schemas);
  completeRuleWithOperations(schemas);
  addLegacyIngressSchemas(schemas);
  return { file: { source: `kubernetes-types@${version}`, schemas }, warnings: gen.warnings };
}

const API_EXTENSIONS_V1 = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

/**
 * kubernetes-types leaves out JSONSchemaProps' `x-kubernetes-*` fields and cannot express its "schema or
 * bool/array" unions; upstream's OpenAPI has both. Without them every real CRD would fail strict decoding.
 */
function completeJsonSchemaProps(schemas: Record<string, Schema>): void {
  const props = schemas[`${API_EXTENSIONS_V1}.JSONSchemaProps`]?.properties;
  if (!props) return;
  const any = (description: string): Schema => ({
    description,
    'x-kubernetes-preserve-unknown-fields': true,
  });
  for (const [name, description] of [
    ['JSON', 'JSON represents any valid JSON value.'],
    ['JSONSchemaPropsOrBool', 'JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value.'],
    ['JSONSchemaPropsOrArray', 'JSONSchemaPropsOrArray represents a JSONSchemaProps or an array of them.'],
    [
      'JSONSchemaPropsOrStringArray',
      'JSONSchemaPropsOrStringArray represents a JSONSchemaProps or a string array.',
    ],
  ] as const) {
    schemas[`${API_EXTENSIONS_V1}.${name}`] = any(description);
  }
  const strings: Schema = { type: 'array', items: { type: 'string', default: '' } };
  Object.assign(props, {
    'x-kubernetes-embedded-resource': { type: 'boolean' },
    'x-kubernetes-int-or-string': { type: 'boolean' },
    'x-kubernetes-list-map-keys': strings,
    'x-kubernetes-list-type': { type: 'string' },
    'x-kubernetes-map-type': { type: 'string' },
    'x-kubernetes-preserve-unknown-fields': { type: 'boolean' },
    'x-kubernetes-validations': {
      type: 'array',
      items: { $ref: `#/components/schemas/${API_EXTENSIONS_V1}.ValidationRule` },
    },
  });
}

const ADMISSION_V1 = 'io.k8s.api.admissionregistration.v1';

/**
 * kubernetes-types leaves out `resources` and `scope` of RuleWithOperations and NamedRuleWithOperations (their
 * docs write resources such as `*` + `/scale`, which would end its JSDoc comments); upstream's OpenAPI has
 * both, and without them every webhook and policy rule would lose its resources when decoded.
 */
function completeRuleWithOperations(schemas: Record<string, Schema>): void {
  for (const rule of ['RuleWithOperations', 'NamedRuleWithOperations']) completeRule(schemas, rule);
}

function completeRule(schemas: Record<string, Schema>, rule: string): void {
  const props = schemas[`${ADMISSION_V1}.${rule}`]?.properties;
  if (!props) return;
  props.resources ??= {
    type: 'array',
    items: { type: 'string', default: '' },
    description:
      "Resources is a list of resources this rule applies to.\n\nFor example: 'pods' means pods. 'pods/log' means the log subresource of pods. '*' means all resources, but not subresources. 'pods/*' means all subresources of pods. '*/scale' means all scale subresources. '*/*' means all resources and their subresources.\n\nIf wildcard is present, the validation rule will ensure resources do not overlap with each other.\n\nDepending on the enclosing object, subresources might not be allowed. Required.",
  };
  props.scope ??= {
    type: 'string',
    description:
      'scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*" "Cluster" means that only cluster-scoped resources will match this rule. Namespace API objects are cluster-scoped. "Namespaced" means that only namespaced resources will match this rule. "*" means that there are no scope restrictions. Subresources match the scope of their parent resource. Default is "*".',
  };
}

const NETWORKING_V1 = 'io.k8s.api.networking.v1';
const NETWORKING_V1BETA1 = 'io.k8s.api.networking.v1beta1';

/**
 * Ingress as `extensions/v1beta1` and `networking.k8s.io/v1beta1` spelled it (kubernetes-types no longer has
 * them): a backend is `serviceName` + `servicePort` (a number or a port name) and the spec's default backend is
 * `backend`. Without these, old manifests would be checked against the v1 schema and refused under Strict field
 * validation before conversion. The rest of the tree is v1's, renamed where it leads to a backend.
 */
function addLegacyIngressSchemas(schemas: Record<string, Schema>): void {
  if (!schemas[`${NETWORKING_V1}.Ingress`]) return;
  const renamed = [
    'Ingress',
    'IngressList',
    'IngressSpec',
    'IngressRule',
    'HTTPIngressRuleValue',
    'HTTPIngressPath',
  ];
  const retarget = (schema: Schema): Schema => {
    let text = JSON.stringify(schema);
    for (const name of [...renamed, 'IngressBackend']) {
      text = text.replaceAll(
        `"${refTo(`${NETWORKING_V1}.${name}`)}"`,
        `"${refTo(`${NETWORKING_V1BETA1}.${name}`)}"`,
      );
    }
    return JSON.parse(text) as Schema;
  };
  for (const name of renamed)
    schemas[`${NETWORKING_V1BETA1}.${name}`] = retarget(schemas[`${NETWORKING_V1}.${name}`]!);
  const spec = schemas[`${NETWORKING_V1BETA1}.IngressSpec`]!;
  const { defaultBackend, ...others } = spec.properties ?? {};
  spec.properties = {
    backend: {
      ...defaultBackend,
      description:
        "A default backend capable of servicing requests that don't match any rule. At least one of 'backend' or 'rules' must be specified.",
    },
    ...others,
  };
  const v1Backend = schemas[`${NETWORKING_V1}.IngressBackend`]!;
  schemas[`${NETWORKING_V1BETA1}.IngressBackend`] = {
    description: 'IngressBackend describes all endpoints for a given service and port.',
    type: 'object',
    properties: {
      resource: v1Backend.properties!.resource!,
      serviceName: { type: 'string', description: 'Specifies the name of the referenced service.' },
      servicePort: {
        allOf: [{ $ref: refTo(INT_OR_STRING) }],
        description: 'Specifies the port of the referenced service.',
      },
    },
  };
  // v1beta1 did not require pathType.
  const path = schemas[`${NETWORKING_V1BETA1}.HTTPIngressPath`]!;
  if (path.required) path.required = path.required.filter((r) => r !== 'pathType');
  const gvks = (kind: string): Schema['x-kubernetes-group-version-kind'] => [
    { group: 'extensions', kind, version: 'v1beta1' },
    { group: 'networking.k8s.io', kind, version: 'v1beta1' },
  ];
  schemas[`${NETWORKING_V1BETA1}.Ingress`]!['x-kubernetes-group-version-kind'] = gvks('Ingress');
  schemas[`${NETWORKING_V1BETA1}.IngressList`]!['x-kubernetes-group-version-kind'] = gvks('IngressList');
}

function main(): void {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const out = process.argv[2] ?? path.join(here, '..', 'generated', 'k8s-schemas.json');
  const started = Date.now();
  const { file, warnings } = generateSchemas();
  for (const w of warnings) process.stderr.write(`gen-openapi-schemas: warning: ${w}\n`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(file) + '\n');
  const count = Object.keys(file.schemas).length;
  process.stdout.write(
    `gen-openapi-schemas: ${count} schemas from ${file.source} in ${Date.now() - started} ms\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
