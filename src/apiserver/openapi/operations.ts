/** OpenAPI v3 path items for one resource, shaped like upstream's (operation ids, actions, parameters). */
import type { GroupVersionKind } from '../../api/meta.js';
import { META_V1 } from './kinds.js';
import { refTo } from './schema-types.js';

export interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: 'string' | 'integer' | 'boolean'; uniqueItems: true };
}

export interface Operation {
  description: string;
  operationId: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': { group: string; kind: string; version: string };
}

export type PathItem = Partial<Record<'get' | 'put' | 'post' | 'patch' | 'delete', Operation>> & {
  parameters?: Parameter[];
};

const query = (name: string, type: Parameter['schema']['type'], description: string): Parameter => ({
  name,
  in: 'query',
  description,
  schema: { type, uniqueItems: true },
});

const P = {
  name: (kind: string): Parameter => ({
    name: 'name',
    in: 'path',
    description: `name of the ${kind}`,
    required: true,
    schema: { type: 'string', uniqueItems: true },
  }),
  namespace: {
    name: 'namespace',
    in: 'path',
    description: 'object name and auth scope, such as for teams and projects',
    required: true,
    schema: { type: 'string', uniqueItems: true },
  } satisfies Parameter,
  pretty: query('pretty', 'string', "If 'true', the output is pretty printed."),
  dryRun: query(
    'dryRun',
    'string',
    'When present, indicates that modifications should not be persisted. The only valid value is "All": run every stage of the request except persisting it.',
  ),
  fieldManager: query(
    'fieldManager',
    'string',
    'Name of the actor making these changes, recorded in managedFields. At most 128 printable characters.',
  ),
  fieldValidation: query(
    'fieldValidation',
    'string',
    'What to do with unknown or duplicate fields in the request body. Ignore: drop them silently. Warn (the default): drop them and return one Warning header per field. Strict: reject the request with a BadRequest error listing them.',
  ),
  force: query(
    'force',
    'boolean',
    'Force applies the request, taking over fields that other managers own. Only valid for apply patches.',
  ),
  gracePeriodSeconds: query(
    'gracePeriodSeconds',
    'integer',
    'Seconds before the object is deleted; zero deletes immediately. Unset uses the per-kind default.',
  ),
  orphanDependents: query(
    'orphanDependents',
    'boolean',
    'Deprecated: use propagationPolicy. Whether dependents are orphaned.',
  ),
  propagationPolicy: query(
    'propagationPolicy',
    'string',
    "Whether and how garbage collection is performed: 'Orphan', 'Background' or 'Foreground'.",
  ),
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'Request BOOKMARK events on a watch.'),
  continue: query(
    'continue',
    'string',
    'Opaque token from a previous chunked list, to fetch the next chunk.',
  ),
  fieldSelector: query('fieldSelector', 'string', 'Restrict the returned objects by their fields.'),
  labelSelector: query('labelSelector', 'string', 'Restrict the returned objects by their labels.'),
  limit: query('limit', 'integer', 'Maximum number of items to return; more are fetched with continue.'),
  resourceVersion: query(
    'resourceVersion',
    'string',
    'Which resource version the list or watch starts from.',
  ),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'How resourceVersion is applied to a list.'),
  sendInitialEvents: query(
    'sendInitialEvents',
    'boolean',
    'Start a watch with synthetic events for existing objects.',
  ),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'Timeout for the list or watch call.'),
  watch: query('watch', 'boolean', 'Watch for changes and return them as a stream of events.'),
};

const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [...WRITE_PARAMS, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const LIST_PARAMS = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];

const RESPONSE_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function content(schemaName: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of RESPONSE_TYPES) out[t] = { schema: { $ref: refTo(schemaName) } };
  return out;
}

function responses(schemaName: string, codes: Array<[string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [code, description] of codes) out[code] = { description, content: content(schemaName) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

function requestBody(schemaName: string): unknown {
  return { content: { '*/*': { schema: { $ref: refTo(schemaName) } } }, required: true };
}

/** `apps` → `Apps`, `rbac.authorization.k8s.io` → `RbacAuthorization`, core → `Core`; as upstream operation ids. */
export function groupIdPart(group: string): string {
  if (group === '') return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map(capitalize)
    .join('');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface ResourceOps {
  /** GV prefix: `/api/v1` or `/apis/apps/v1`. */
  prefix: string;
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: ReadonlySet<string>;
  subresources: readonly string[];
  /** Component schema names used in request and response bodies. */
  schema: string;
  listSchema: string | undefined;
}

/** Kind and schema of each subresource we describe; others (exec, attach, proxy, portforward) are left out. */
const SUBRESOURCES: Record<string, { gvk?: GroupVersionKind; schema?: string; verbs: string[] }> = {
  status: { verbs: ['get', 'update', 'patch'] },
  scale: {
    gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    schema: 'io.k8s.api.autoscaling.v1.Scale',
    verbs: ['get', 'update', 'patch'],
  },
  ephemeralcontainers: { verbs: ['get', 'update', 'patch'] },
  approval: { verbs: ['get', 'update', 'patch'] },
  eviction: {
    gvk: { group: 'policy', version: 'v1', kind: 'Eviction' },
    schema: 'io.k8s.api.policy.v1.Eviction',
    verbs: ['create'],
  },
  binding: {
    gvk: { group: '', version: 'v1', kind: 'Binding' },
    schema: 'io.k8s.api.core.v1.Binding',
    verbs: ['create'],
  },
  log: { verbs: ['get'] },
};

/** Schemas a subresource refers to, so the GV document can include them. */
export function subresourceSchema(sub: string): string | undefined {
  return SUBRESOURCES[sub]?.schema;
}

/** Path items for a resource: collection, item, all-namespaces list, and known subresources. */
export function resourcePaths(r: ResourceOps): Record<string, PathItem> {
  const gvk = { group: r.group, kind: r.kind, version: r.version };
  const idBase = `${groupIdPart(r.group)}${capitalize(r.version)}`;
  const scoped = r.namespaced ? `Namespaced${r.kind}` : r.kind;
  const tags = [
    `${groupIdPart(r.group).charAt(0).toLowerCase()}${groupIdPart(r.group).slice(1)}_${r.version}`,
  ];
  const collection = r.namespaced
    ? `${r.prefix}/namespaces/{namespace}/${r.plural}`
    : `${r.prefix}/${r.plural}`;
  const item = `${collection}/{name}`;
  const scopeParams = r.namespaced ? [P.namespace, P.pretty] : [P.pretty];
  const op = (
    action: string,
    verb: string,
    suffix: string,
    description: string,
    extra: Partial<Operation>,
    kind = gvk,
  ): Operation => ({
    description,
    operationId: `${verb}${idBase}${suffix}`,
    tags,
    responses: {},
    ...extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': kind,
  });
  const paths: Record<string, PathItem> = {};

  const coll: PathItem = { parameters: scopeParams };
  if (r.verbs.has('list') && r.listSchema) {
    coll.get = op('list', 'list', scoped, `list or watch objects of kind ${r.kind}`, {
      parameters: LIST_PARAMS,
      responses: responses(r.listSchema, [['200', 'OK']]),
    });
  }
  if (r.verbs.has('create')) {
    coll.post = op('post', 'create', scoped, `create a ${r.kind}`, {
      parameters: WRITE_PARAMS,
      requestBody: requestBody(r.schema),
      responses: responses(r.schema, [
        ['200', 'OK'],
        ['201', 'Created'],
        ['202', 'Accepted'],
      ]),
    });
  }
  if (r.verbs.has('deletecollection')) {
    coll.delete = op('deletecollection', 'delete', `Collection${scoped}`, `delete collection of ${r.kind}`, {
      parameters: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'watch')],
      requestBody: requestBody(`${META_V1}.DeleteOptions`),
      responses: responses(`${META_V1}.Status`, [['200', 'OK']]),
    });
  }
  if (coll.get || coll.post || coll.delete) paths[collection] = coll;

  const one: PathItem = { parameters: [P.name(r.kind), ...scopeParams] };
  if (r.verbs.has('get')) {
    one.get = op('get', 'read', scoped, `read the specified ${r.kind}`, {
      responses: responses(r.schema, [['200', 'OK']]),
    });
  }
  if (r.verbs.has('update')) {
    one.put = op('put', 'replace', scoped, `replace the specified ${r.kind}`, {
      parameters: WRITE_PARAMS,
      requestBody: requestBody(r.schema),
      responses: responses(r.schema, [
        ['200', 'OK'],
        ['201', 'Created'],
      ]),
    });
  }
  if (r.verbs.has('patch')) {
    // No requestBody on purpose: advertising strategic-merge-patch here makes kubectl's client-side apply
    // compute patches from these schemas instead of its compiled-in types.
    one.patch = op('patch', 'patch', scoped, `partially update the specified ${r.kind}`, {
      parameters: PATCH_PARAMS,
      responses: responses(r.schema, [
        ['200', 'OK'],
        ['201', 'Created'],
      ]),
    });
  }
  if (r.verbs.has('delete')) {
    one.delete = op('delete', 'delete', scoped, `delete a ${r.kind}`, {
      parameters: DELETE_PARAMS,
      requestBody: requestBody(`${META_V1}.DeleteOptions`),
      responses: responses(r.schema, [
        ['200', 'OK'],
        ['202', 'Accepted'],
      ]),
    });
  }
  if (one.get || one.put || one.patch || one.delete) paths[item] = one;

  if (r.namespaced && coll.get && r.listSchema) {
    paths[`${r.prefix}/${r.plural}`] = {
      parameters: [P.pretty],
      get: op('list', 'list', `${r.kind}ForAllNamespaces`, `list or watch objects of kind ${r.kind}`, {
        parameters: LIST_PARAMS,
        responses: responses(r.listSchema, [['200', 'OK']]),
      }),
    };
  }

  for (const sub of r.subresources) {
    const spec = SUBRESOURCES[sub];
    if (!spec) continue;
    const subKind = spec.gvk
      ? { group: spec.gvk.group, kind: spec.gvk.kind, version: spec.gvk.version }
      : gvk;
    const schema = spec.schema ?? r.schema;
    const suffix = `${scoped}${capitalize(sub)}`;
    const what = `${sub} of the specified ${r.kind}`;
    const entry: PathItem = { parameters: [P.name(r.kind), ...scopeParams] };
    for (const verb of spec.verbs) {
      if (verb === 'get' && sub === 'log') {
        entry.get = op('get', 'read', suffix, `read log of the specified ${r.kind}`, {
          responses: {
            '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } },
            '401': { description: 'Unauthorized' },
          },
        });
      } else if (verb === 'get') {
        entry.get = op(
          'get',
          'read',
          suffix,
          `read ${what}`,
          { responses: responses(schema, [['200', 'OK']]) },
          subKind,
        );
      } else if (verb === 'update') {
        const body = { parameters: WRITE_PARAMS, requestBody: requestBody(schema) };
        entry.put = op(
          'put',
          'replace',
          suffix,
          `replace ${what}`,
          {
            ...body,
            responses: responses(schema, [
              ['200', 'OK'],
              ['201', 'Created'],
            ]),
          },
          subKind,
        );
      } else if (verb === 'patch') {
        entry.patch = op(
          'patch',
          'patch',
          suffix,
          `partially update ${what}`,
          {
            parameters: PATCH_PARAMS,
            responses: responses(schema, [
              ['200', 'OK'],
              ['201', 'Created'],
            ]),
          },
          subKind,
        );
      } else if (verb === 'create') {
        entry.post = op(
          'post',
          'create',
          suffix,
          `create ${sub} of a ${r.kind}`,
          {
            parameters: WRITE_PARAMS,
            requestBody: requestBody(schema),
            responses: responses(schema, [
              ['200', 'OK'],
              ['201', 'Created'],
              ['202', 'Accepted'],
            ]),
          },
          subKind,
        );
      }
    }
    paths[`${item}/${sub}`] = entry;
  }
  return paths;
}
