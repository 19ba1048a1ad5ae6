import { stringify as toYaml } from 'yaml';
import { encodeProtobufObject } from '../../src/apiserver/protobuf/index.js';
import { FUZZ_KINDS, collectionPath, objectPath, type FuzzKind } from './manifests.js';
import { encodeBody, mutate } from './mutate.js';
import type { Prng } from './prng.js';
import {
  asciiString,
  badName,
  continueToken,
  fieldSelectorText,
  labelSelectorText,
  randomValue,
  resourceVersionText,
  unicodeString,
} from './values.js';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Short human description for failure reports. */
  note: string;
  /** The kind and namespace addressed, when the request targets a known kind. */
  about?: { kind: FuzzKind; namespace: string | undefined };
}

/** An object the server accepted, kept so later PUT/PATCH/DELETE hit something real. */
export interface KnownObject {
  kind: FuzzKind;
  namespace: string | undefined;
  name: string;
  obj: Record<string, unknown>;
}

export interface FuzzState {
  namespaces: string[];
  known: Map<string, KnownObject>;
  counter: number;
}

export const CONTENT_TYPES = [
  'application/json',
  'application/yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'application/vnd.kubernetes.protobuf',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/cbor',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'a/b/c',
  ';;;',
  '',
  '*/*',
];

const ACCEPTS = [
  'application/json',
  'application/yaml',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/vnd.kubernetes.protobuf, application/json',
  'application/json;as=Table;v=v9;g=nope',
  'text/html',
  'image/png',
  '*/*',
  ';;',
  'application/json;q=abc',
];

const GARBAGE_PATHS = [
  '/',
  '/api',
  '/apis',
  '/api/v1',
  '/apis/apps',
  '/apis/apps/v1',
  '/apis/nope',
  '/apis/nope/v1/things',
  '/openapi/v2',
  '/openapi/v3',
  '/openapi/v3/apis/apps/v1',
  '/openapi/v3/api/v1?hash=bad',
  '/openapi/v3/../../etc/passwd',
  '/version',
  '/healthz',
  '/livez?verbose',
  '/readyz/ping',
  '/metrics',
  '/api/v1/namespaces/default/pods/x/log',
  '/api/v1/namespaces/default/pods/x/exec?command=ls',
  '/api/v1/namespaces/default/pods/x/attach',
  '/api/v1/namespaces/default/pods/x/portforward',
  '/api/v1/namespaces/default/pods/x/proxy/a/b',
  '/api/v1/namespaces/default/pods/x/eviction',
  '/api/v1/namespaces/default/pods/x/binding',
  '/api/v1/namespaces/default/pods/x/ephemeralcontainers',
  '/api/v1/namespaces/default/services/x/proxy',
  '/api/v1/nodes/x/proxy',
  '/api/v1/namespaces/default/configmaps/x/status',
  '/api/v1/namespaces/default/configmaps/x/y/z/w',
  '/api/v1/namespaces/%2e%2e/pods',
  '/api/v1/namespaces/%ZZ/pods',
  '/api/v1/namespaces/default/pods/%',
  '/api/v1/namespaces/default/pods/%E0%A4%A',
  '//api//v1',
  '/api/v1/namespaces//pods',
  '/api/v1/namespaces/default/pods/' + 'p'.repeat(5000),
  '/apis/apps/v1/watch/deployments',
  '/api/v1/watch/namespaces/default/configmaps/x',
  '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
  '/apis/authorization.k8s.io/v1/subjectaccessreviews',
  '/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews',
  '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
  '/apis/authentication.k8s.io/v1/tokenreviews',
  '/apis/authentication.k8s.io/v1/selfsubjectreviews',
  '/apis/apps/v1/namespaces/default/deployments/x/scale',
  '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers',
  '/api/v1/namespaces/default/replicationcontrollers/x/scale',
  '/api/v1/componentstatuses',
];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function knownList(state: FuzzState): KnownObject[] {
  return [...state.known.values()];
}

function pickNamespace(rng: Prng, state: FuzzState): string {
  return rng.weighted<() => string>([
    [8, () => rng.pick(state.namespaces)],
    [1, () => 'does-not-exist'],
    [1, () => badName(rng)],
  ])();
}

function freshName(rng: Prng, state: FuzzState): string {
  state.counter++;
  return `fz-${state.counter}-${rng.int(0, 9999)}`;
}

function jsonHeaders(rng: Prng, contentType: string): Record<string, string> {
  const h: Record<string, string> = { 'content-type': contentType };
  if (rng.chance(0.15)) h.accept = rng.pick(ACCEPTS);
  return h;
}

/** A write query string: sometimes valid options, sometimes garbage. */
function writeQuery(rng: Prng): string {
  const q = new URLSearchParams();
  if (rng.chance(0.3)) q.set('fieldValidation', rng.pick(['Strict', 'Warn', 'Ignore', 'strict', 'Nope', '']));
  if (rng.chance(0.2)) q.set('dryRun', rng.pick(['All', 'all', 'Nope', '']));
  if (rng.chance(0.2)) q.set('fieldManager', rng.pick(['fuzz', '', 'x'.repeat(200), unicodeString(rng)]));
  if (rng.chance(0.05)) q.set('force', rng.pick(['true', 'false', 'maybe']));
  if (rng.chance(0.05)) q.set('pretty', rng.pick(['true', '1', 'x']));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function createRequest(rng: Prng, state: FuzzState): FuzzRequest {
  const kind = rng.pick(FUZZ_KINDS);
  const name = freshName(rng, state);
  const obj = kind.make(name);
  const mutations = rng.chance(0.25) ? [] : mutate(rng, obj);
  const namespace = kind.namespaced ? pickNamespace(rng, state) : undefined;
  const encoding = rng.chance(0.25) ? 'yaml' : 'json';
  const { body, note } = encodeBody(rng, obj, encoding);
  const contentType = rng.chance(0.92)
    ? encoding === 'yaml'
      ? 'application/yaml'
      : 'application/json'
    : rng.pick(CONTENT_TYPES);
  return {
    method: 'POST',
    path: collectionPath(kind, namespace) + writeQuery(rng),
    headers: jsonHeaders(rng, contentType),
    body,
    note: `create ${kind.kind} [${mutations.join('; ')}] ${note}`,
    about: { kind, namespace },
  };
}

function targetOf(rng: Prng, state: FuzzState): KnownObject {
  const known = knownList(state);
  if (known.length > 0 && rng.chance(0.85)) return rng.pick(known);
  const kind = rng.pick(FUZZ_KINDS);
  const name = rng.chance(0.7) ? freshName(rng, state) : badName(rng);
  return {
    kind,
    namespace: kind.namespaced ? pickNamespace(rng, state) : undefined,
    name,
    obj: kind.make(name),
  };
}

function updateRequest(rng: Prng, state: FuzzState): FuzzRequest {
  const t = targetOf(rng, state);
  const obj = structuredClone(t.obj);
  const mutations = rng.chance(0.2) ? [] : mutate(rng, obj);
  const sub = t.kind.subresources.includes('status') && rng.chance(0.2) ? 'status' : undefined;
  const encoding = rng.chance(0.2) ? 'yaml' : 'json';
  const { body, note } = encodeBody(rng, obj, encoding);
  return {
    method: 'PUT',
    path: objectPath(t.kind, t.namespace, t.name, sub) + writeQuery(rng),
    headers: jsonHeaders(rng, encoding === 'yaml' ? 'application/yaml' : 'application/json'),
    body,
    note: `update ${t.kind.kind}${sub ? '/' + sub : ''} [${mutations.join('; ')}] ${note}`,
    about: sub ? undefined : { kind: t.kind, namespace: t.namespace },
  };
}

function randomPointer(rng: Prng, obj: Record<string, unknown>): string {
  return rng.weighted<() => string>([
    [
      4,
      () =>
        rng.pick([
          '/metadata/labels/x',
          '/spec/replicas',
          '/data/a',
          '/metadata/name',
          '/spec',
          '/metadata',
          '',
        ]),
    ],
    [3, () => '/' + Object.keys(obj).concat(['nope'])[rng.int(0, Object.keys(obj).length)]!],
    [
      3,
      () =>
        rng.pick([
          '/spec/template/spec/containers/0/image',
          '/spec/template/spec/containers/-',
          '/spec/template/spec/containers/99',
          '/spec/template/spec/containers/-1',
          '/spec/template/spec/containers/01',
          '/metadata/labels/a~1b',
          '/metadata/labels/a~2b',
          '/metadata/annotations/~',
          'no-leading-slash',
          '/__proto__/polluted',
          '/constructor/prototype/x',
          '/metadata/__proto__',
          '//',
          '/' + 'a/'.repeat(200),
        ]),
    ],
  ])();
}

function jsonPatchBody(rng: Prng, obj: Record<string, unknown>): unknown {
  if (rng.chance(0.1)) return randomValue(rng);
  const n = rng.int(0, 4);
  return Array.from({ length: n }, () => {
    const op: Record<string, unknown> = {
      op: rng.weighted([
        [3, 'add'],
        [2, 'replace'],
        [2, 'remove'],
        [1, 'move'],
        [1, 'copy'],
        [2, 'test'],
        [1, 'nope'],
        [1, ''],
      ]),
      path: randomPointer(rng, obj),
    };
    if (rng.chance(0.7)) op.value = rng.chance(0.5) ? randomValue(rng) : 'x';
    if (rng.chance(0.3)) op.from = randomPointer(rng, obj);
    if (rng.chance(0.1)) delete op[rng.pick(['op', 'path'])];
    return rng.chance(0.05) ? randomValue(rng) : op;
  });
}

function mergePatchBody(rng: Prng, obj: Record<string, unknown>): unknown {
  if (rng.chance(0.1)) return randomValue(rng);
  const patch = structuredClone(obj);
  mutate(rng, patch);
  // Keep a random subset of the top level, as real patches are partial.
  for (const key of Object.keys(patch)) if (rng.chance(0.4)) delete patch[key];
  if (rng.chance(0.2)) patch.metadata = { labels: { x: rng.chance(0.5) ? null : 'y' } };
  return patch;
}

function strategicDirectives(rng: Prng, patch: Record<string, unknown>): void {
  if (patch.spec === null || typeof patch.spec !== 'object' || Array.isArray(patch.spec)) patch.spec = {};
  const spec = patch.spec as Record<string, unknown>;
  const which = rng.pick([
    () => (patch.$patch = rng.pick(['replace', 'delete', 'merge', 'nope', 5])),
    () => (spec.$retainKeys = rng.pick<unknown>([['replicas'], 'x', [5], null])),
    () => (patch['$setElementOrder/metadata'] = [{ name: 'x' }]),
    () => {
      const tpl = { spec: { containers: [{ name: 'c', $patch: rng.pick(['delete', 'replace', 'x']) }] } };
      spec.template = tpl;
    },
    () => (spec['$setElementOrder/containers'] = rng.pick<unknown>([[{ name: 'c' }], [{}], 'x', [null]])),
    () => (spec['$deleteFromPrimitiveList/finalizers'] = rng.pick<unknown>([['a'], 'a', [{}]])),
    () => (patch.metadata = { $patch: 'delete' }),
    () => (patch.metadata = { finalizers: { $patch: 'replace' } }),
  ]);
  which();
}

function patchRequest(rng: Prng, state: FuzzState): FuzzRequest {
  const t = targetOf(rng, state);
  const type = rng.weighted<string>([
    [3, 'application/json-patch+json'],
    [3, 'application/merge-patch+json'],
    [4, 'application/strategic-merge-patch+json'],
    [3, 'application/apply-patch+yaml'],
    [1, rng.pick(CONTENT_TYPES)],
  ]);
  let value: unknown;
  let query = writeQuery(rng);
  switch (type) {
    case 'application/json-patch+json':
      value = jsonPatchBody(rng, t.obj);
      break;
    case 'application/strategic-merge-patch+json': {
      const patch = mergePatchBody(rng, t.obj);
      if (patch !== null && typeof patch === 'object' && !Array.isArray(patch) && rng.chance(0.5))
        strategicDirectives(rng, patch as Record<string, unknown>);
      value = patch;
      break;
    }
    case 'application/apply-patch+yaml': {
      const obj = t.kind.make(t.name);
      if (rng.chance(0.7)) mutate(rng, obj);
      value = obj;
      if (rng.chance(0.8))
        query = `?fieldManager=${rng.pick(['fuzz', 'other', 'kubectl'])}&force=${rng.pick(['true', 'false'])}`;
      break;
    }
    default:
      value = mergePatchBody(rng, t.obj);
  }
  const encoding = type === 'application/apply-patch+yaml' && rng.chance(0.5) ? 'yaml' : 'json';
  const { body, note } = encodeBody(rng, value, encoding);
  const sub = rng.chance(0.15) ? rng.pick([...t.kind.subresources, 'status', 'scale']) : undefined;
  return {
    method: 'PATCH',
    path: objectPath(t.kind, t.namespace, t.name, sub) + query,
    headers: jsonHeaders(rng, type),
    body,
    note: `patch ${t.kind.kind}${sub ? '/' + sub : ''} ${type} ${note}`,
    about: sub ? undefined : { kind: t.kind, namespace: t.namespace },
  };
}

function scaleRequest(rng: Prng, state: FuzzState): FuzzRequest {
  const t = targetOf(rng, state);
  const replicas = rng.pick<unknown>([3, 0, -1, 1.5, 2147483648, '3', null, [], {}]);
  const value = rng.chance(0.8)
    ? {
        kind: rng.pick(['Scale', 'Deployment', 5]),
        apiVersion: rng.pick(['autoscaling/v1', 'apps/v1', 'v1']),
        metadata: {
          name: rng.chance(0.9) ? t.name : badName(rng),
          resourceVersion: rng.chance(0.5) ? resourceVersionText(rng) : undefined,
        },
        spec: { replicas },
      }
    : randomValue(rng);
  const method = rng.pick(['PUT', 'PATCH']);
  const contentType =
    method === 'PUT' ? rng.pick(['application/json', '']) : rng.pick(CONTENT_TYPES.slice(2, 6));
  const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
  return {
    method,
    path: objectPath(t.kind, t.namespace, t.name, 'scale'),
    headers,
    body: Buffer.from(JSON.stringify(value) ?? 'null'),
    note: `scale ${t.kind.kind} ${method}`,
  };
}

function deleteRequest(rng: Prng, state: FuzzState): FuzzRequest {
  const t = targetOf(rng, state);
  const collection = rng.chance(0.1) && t.kind.kind !== 'Namespace';
  const q = new URLSearchParams();
  if (rng.chance(0.3))
    q.set('propagationPolicy', rng.pick(['Background', 'Foreground', 'Orphan', 'Sideways', '']));
  if (rng.chance(0.3)) q.set('gracePeriodSeconds', rng.pick(['0', '-1', '30', 'abc', '1e30', '']));
  if (rng.chance(0.2)) q.set('dryRun', rng.pick(['All', 'x']));
  if (collection && rng.chance(0.5)) q.set('labelSelector', labelSelectorText(rng));
  const query = q.toString() ? `?${q.toString()}` : '';
  let body: Buffer | undefined;
  const headers: Record<string, string> = {};
  if (rng.chance(0.4)) {
    const opts = rng.chance(0.7)
      ? {
          kind: rng.pick(['DeleteOptions', 'Pod', '']),
          apiVersion: rng.pick(['v1', 'meta.k8s.io/v1', 'nope/v1']),
          propagationPolicy: rng.pick<unknown>(['Foreground', 'Orphan', 'x', 5, null]),
          gracePeriodSeconds: rng.pick<unknown>([0, -5, 1.5, '3', null, 2 ** 63]),
          preconditions: rng.pick<unknown>([{ uid: 'nope' }, { resourceVersion: '1' }, 'x', null, {}]),
          orphanDependents: rng.pick<unknown>([true, false, 'yes', null]),
          dryRun: rng.pick<unknown>([['All'], ['x'], 'All', null]),
        }
      : randomValue(rng);
    body = encodeBody(rng, opts, 'json').body;
    headers['content-type'] = rng.pick([
      'application/json',
      'application/json',
      'application/yaml',
      'text/plain',
      '',
    ]);
    if (!headers['content-type']) delete headers['content-type'];
  }
  const path = collection ? collectionPath(t.kind, t.namespace) : objectPath(t.kind, t.namespace, t.name);
  return {
    method: 'DELETE',
    path: path + query,
    headers,
    body,
    note: `delete ${t.kind.kind}${collection ? ' collection' : ''}`,
    about: collection ? undefined : { kind: t.kind, namespace: t.namespace },
  };
}

/** GET list/get/watch with hostile query parameters. */
function queryRequest(rng: Prng, state: FuzzState): FuzzRequest {
  const kind = rng.pick(FUZZ_KINDS);
  const q = new URLSearchParams();
  const maybe = (p: number, key: string, value: () => string) => {
    if (rng.chance(p)) q.set(key, value());
  };
  maybe(0.35, 'labelSelector', () => labelSelectorText(rng));
  maybe(0.35, 'fieldSelector', () => fieldSelectorText(rng));
  maybe(0.3, 'limit', () => rng.pick(['0', '1', '2', '-1', 'abc', '1.5', '1e3', '99999999999999999999', '']));
  maybe(0.25, 'continue', () => continueToken(rng));
  maybe(0.25, 'resourceVersion', () => resourceVersionText(rng));
  maybe(0.1, 'resourceVersionMatch', () => rng.pick(['NotOlderThan', 'Exact', 'Nope', '']));
  maybe(0.2, 'watch', () => rng.pick(['true', '1', 'false', 'yes', '']));
  maybe(0.1, 'timeoutSeconds', () => rng.pick(['1', '0', '-1', 'abc', '1e9']));
  maybe(0.1, 'allowWatchBookmarks', () => rng.pick(['true', 'x']));
  maybe(0.1, 'sendInitialEvents', () => rng.pick(['true', 'false', 'x']));
  maybe(0.1, 'includeObject', () => rng.pick(['Object', 'Metadata', 'None', 'x']));
  maybe(0.05, asciiString(rng, 8) || 'k', () => unicodeString(rng));
  let query = q.toString();
  if (rng.chance(0.05))
    query = rng.pick(['%', '%%', 'a=%ZZ', '&&&', '=', 'labelSelector=%E0%A4%A', 'watch=true&watch=false']);
  const known = knownList(state).filter((o) => o.kind === kind);
  const single = known.length > 0 && rng.chance(0.25);
  const namespace = kind.namespaced && rng.chance(0.7) ? pickNamespace(rng, state) : undefined;
  const path = single
    ? objectPath(kind, known[0]!.namespace, rng.pick(known).name)
    : rng.chance(0.1)
      ? collectionPath(kind, namespace).replace(`/${kind.version}/`, `/${kind.version}/watch/`)
      : collectionPath(kind, namespace);
  const headers: Record<string, string> = {};
  if (rng.chance(0.2)) headers.accept = rng.pick(ACCEPTS);
  return { method: 'GET', path: `${path}${query ? `?${query}` : ''}`, headers, note: `query ${kind.kind}` };
}

/** Flips, drops or inserts a few bytes (never the 4 magic bytes, so the decoder gets past them). */
function damageBytes(rng: Prng, buf: Buffer): { body: Buffer; note: string } {
  const out = Buffer.from(buf);
  const how = rng.pick(['flip', 'truncate', 'insert', 'varint']);
  const at = () => rng.int(4, Math.max(4, out.length - 1));
  switch (how) {
    case 'flip':
      for (let n = rng.int(1, 5); n > 0; n--) out[at()] = rng.int(0, 255);
      return { body: out, note: how };
    case 'truncate':
      return { body: out.subarray(0, at()), note: how };
    case 'insert': {
      const i = at();
      return {
        body: Buffer.concat([out.subarray(0, i), rng.bytes(rng.int(1, 8)), out.subarray(i)]),
        note: how,
      };
    }
    default: {
      // An overlong or huge length prefix.
      const i = at();
      const varint = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
      return { body: Buffer.concat([out.subarray(0, i), varint, out.subarray(i + 1)]), note: how };
    }
  }
}

/** A create with a protobuf body: a real encoding of a (possibly mutated) manifest, often damaged. */
function protobufCreateRequest(rng: Prng, state: FuzzState): FuzzRequest {
  const kind = rng.pick(FUZZ_KINDS);
  const name = freshName(rng, state);
  const obj = kind.make(name);
  const mutations = rng.chance(0.3) ? mutate(rng, obj) : [];
  let encoded: Buffer;
  try {
    encoded = encodeProtobufObject(obj);
  } catch {
    encoded = protobufish(rng);
  }
  const { body, note } = rng.chance(0.6) ? damageBytes(rng, encoded) : { body: encoded, note: '' };
  const namespace = kind.namespaced ? pickNamespace(rng, state) : undefined;
  return {
    method: 'POST',
    path: collectionPath(kind, namespace) + writeQuery(rng),
    headers: jsonHeaders(rng, 'application/vnd.kubernetes.protobuf'),
    body,
    note: `protobuf-create ${kind.kind} [${mutations.join('; ')}] ${note}`,
    about: { kind, namespace },
  };
}

/** A Kubernetes protobuf envelope (magic + runtime.Unknown) around random bytes, or plain random bytes. */
function protobufish(rng: Prng): Buffer {
  const random = rng.bytes(rng.int(0, 200));
  if (rng.chance(0.3)) return random;
  const str = (field: number, s: string) => {
    const b = Buffer.from(s);
    return Buffer.concat([Buffer.from([(field << 3) | 2, b.length]), b]);
  };
  const typeMeta = Buffer.concat([
    str(1, rng.pick(['v1', 'apps/v1', 'x'])),
    str(2, rng.pick(['Pod', 'ConfigMap', 'Deployment', 'Nope'])),
  ]);
  const raw = random.subarray(0, Math.min(random.length, 120));
  const unknown = Buffer.concat([
    Buffer.from([0x0a, typeMeta.length]),
    typeMeta,
    Buffer.from([0x12, raw.length]),
    raw,
  ]);
  return Buffer.concat([Buffer.from('k8s\u0000', 'latin1'), unknown]);
}

function garbageRequest(rng: Prng, state: FuzzState): FuzzRequest {
  const kind = rng.pick(FUZZ_KINDS);
  const path = rng.weighted<() => string>([
    [3, () => rng.pick(GARBAGE_PATHS)],
    [3, () => collectionPath(kind, kind.namespaced ? rng.pick(state.namespaces) : undefined)],
    [
      2,
      () =>
        objectPath(
          kind,
          kind.namespaced ? rng.pick(state.namespaces) : undefined,
          rng.chance(0.5) ? 'x' : badName(rng),
        ),
    ],
    [1, () => '/' + asciiString(rng, 40).replace(/ /g, '%20')],
  ])();
  const method = rng.pick(METHODS);
  let contentType = rng.pick(CONTENT_TYPES);
  const body = rng.weighted<() => Buffer | undefined>([
    [1, () => undefined],
    [3, () => rng.bytes(rng.int(0, 512))],
    [
      3,
      () => {
        if (rng.chance(0.8)) contentType = 'application/vnd.kubernetes.protobuf';
        return protobufish(rng);
      },
    ],
    [2, () => Buffer.from(asciiString(rng, 200))],
    [1, () => Buffer.from(JSON.stringify(randomValue(rng, 3)) ?? '')],
    [1, () => Buffer.from(toYaml(randomValue(rng, 3)))],
  ])();
  const headers: Record<string, string> = {};
  if (contentType) headers['content-type'] = contentType;
  if (rng.chance(0.3)) headers.accept = rng.pick(ACCEPTS);
  return { method, path, headers, body, note: `garbage ${method} ${contentType}` };
}

/** The next request of the run, drawn from a fixed mix. */
export function nextRequest(rng: Prng, state: FuzzState): FuzzRequest {
  return rng.weighted<(r: Prng, s: FuzzState) => FuzzRequest>([
    [30, createRequest],
    [6, protobufCreateRequest],
    [14, updateRequest],
    [20, patchRequest],
    [3, scaleRequest],
    [5, deleteRequest],
    [16, queryRequest],
    [12, garbageRequest],
  ])(rng, state);
}
