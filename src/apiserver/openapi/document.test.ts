import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildOpenApi, type OpenApiResource } from './document.js';
import { SERVED_KINDS } from './kinds.js';
import { refName, type Schema } from './schema-types.js';
import { fallbackSchemaFile, indexSchemas } from './schemas.js';
import { generatedSchemaSet } from './testing/generated.js';

const set = generatedSchemaSet();

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'SelfSubjectReview',
  'TokenReview',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'SubjectAccessReview',
]);
const CREATE_ONLY = /Review$|^Binding$|^Eviction$/;

function plural(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith('s')) return k === 'endpoints' ? k : `${k}es`;
  if (k.endsWith('y')) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

const resources: OpenApiResource[] = SERVED_KINDS.filter(
  (k) => !['Scale', 'Eviction', 'Binding'].includes(k.kind),
).map((k) => ({
  ...k,
  plural: plural(k.kind),
  namespaced: !CLUSTER_SCOPED.has(k.kind),
  verbs: CREATE_ONLY.test(k.kind) ? ['create'] : undefined,
  subresources:
    k.kind === 'Deployment'
      ? ['status', 'scale']
      : k.kind === 'Pod'
        ? ['status', 'eviction', 'binding', 'log', 'exec']
        : undefined,
  aliases: k.kind === 'Deployment' ? [{ group: 'extensions', version: 'v1beta1' }] : undefined,
}));
resources.push({
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  kind: 'PodMetrics',
  plural: 'pods',
  namespaced: true,
  verbs: ['get', 'list'],
});

const api = buildOpenApi(resources, { schemas: set });

interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, Schema> };
}

function doc(key: string, from = api): Doc {
  const d = from.groupVersionDoc(key);
  assert.ok(d, `no document ${key}`);
  return JSON.parse(d.body.toString('utf8')) as Doc;
}

/** kubectl's server-side validation check (cli-runtime query_param_verifier_v3): a PATCH for the GVK with the param. */
function supportsFieldValidation(
  d: Doc,
  gvk: { group: string; version: string; kind: string },
): boolean | undefined {
  let found: boolean | undefined;
  for (const item of Object.values(d.paths)) {
    const op = item.patch;
    const g = op?.['x-kubernetes-group-version-kind'];
    if (!g || g.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    const ok = (op.parameters as any[]).some((p) => p.name === 'fieldValidation' && p.in === 'query');
    found = found === undefined ? ok : found && ok;
  }
  return found;
}

/** Follows `$ref` and single-element `allOf` the way kubectl explain does. */
function deref(d: Doc, s: Schema | undefined): Schema | undefined {
  while (s && (s.$ref || (s.allOf?.length === 1 && !s.properties))) {
    const ref = s.$ref ?? s.allOf?.[0]?.$ref;
    s = ref ? d.components.schemas[refName(ref) ?? ''] : undefined;
  }
  return s;
}

function schemaByGvk(d: Doc, gvk: { group: string; version: string; kind: string }): Schema | undefined {
  return Object.values(d.components.schemas).find((s) =>
    (s['x-kubernetes-group-version-kind'] ?? []).some(
      (g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind,
    ),
  );
}

void describe('buildOpenApi index', () => {
  void test('lists every group-version with a hashed serverRelativeURL', () => {
    const index = api.index() as { paths: Record<string, { serverRelativeURL: string }> };
    const keys = Object.keys(index.paths);
    for (const key of [
      'api/v1',
      'apis/apps/v1',
      'apis/autoscaling/v2',
      'apis/rbac.authorization.k8s.io/v1',
      'apis/extensions/v1beta1',
    ]) {
      assert.ok(keys.includes(key), key);
    }
    for (const [key, entry] of Object.entries(index.paths)) {
      const d = api.groupVersionDoc(key);
      assert.ok(d);
      assert.match(d.hash, /^[0-9A-F]{128}$/);
      assert.equal(d.etag, `"${d.hash}"`);
      assert.equal(entry.serverRelativeURL, `/openapi/v3/${key}?hash=${d.hash}`);
    }
    assert.deepEqual(JSON.parse(api.indexBody().toString()), index);
  });

  void test('lookup tolerates slashes; unknown keys are undefined', () => {
    assert.ok(api.groupVersionDoc('/apis/apps/v1'));
    assert.equal(api.groupVersionDoc('apis/nope/v1'), undefined);
  });

  void test('documents are deterministic and their hash follows their content', () => {
    const again = buildOpenApi(resources, { schemas: set });
    assert.equal(again.groupVersionDoc('api/v1')?.hash, api.groupVersionDoc('api/v1')?.hash);
    const fewer = buildOpenApi(
      resources.filter((r) => r.kind !== 'Secret'),
      { schemas: set },
    );
    assert.notEqual(fewer.groupVersionDoc('api/v1')?.hash, api.groupVersionDoc('api/v1')?.hash);
    assert.equal(fewer.groupVersionDoc('apis/apps/v1')?.hash, api.groupVersionDoc('apis/apps/v1')?.hash);
  });
});

void describe('group-version documents', () => {
  void test('match the wire spec example: PATCH with GVK and fieldValidation, no requestBody', () => {
    const d = doc('apis/apps/v1');
    assert.equal(d.openapi, '3.0.0');
    assert.equal(d.info.title, 'Kubernetes');
    const patch = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    assert.ok(patch);
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], {
      group: 'apps',
      kind: 'Deployment',
      version: 'v1',
    });
    assert.ok(
      patch.parameters.some(
        (p: any) => p.name === 'fieldValidation' && p.in === 'query' && p.schema.type === 'string',
      ),
    );
    for (const name of ['dryRun', 'fieldManager', 'force'])
      assert.ok(patch.parameters.some((p: any) => p.name === name));
    assert.equal(patch.requestBody, undefined);
    assert.ok(patch.responses['200']);
  });

  void test('every served kind passes kubectl validation gate in its own document', () => {
    for (const r of resources) {
      const key = r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
      const verdict = supportsFieldValidation(doc(key), r);
      if (r.verbs?.includes('patch') === false || r.verbs?.length === 1) continue;
      assert.equal(verdict, true, `${r.group}/${r.version} ${r.kind}`);
    }
    assert.equal(
      supportsFieldValidation(doc('apis/extensions/v1beta1'), {
        group: 'extensions',
        version: 'v1beta1',
        kind: 'Deployment',
      }),
      true,
    );
  });

  void test('collection, item, all-namespaces and subresource paths with upstream actions and ids', () => {
    const d = doc('api/v1');
    const coll = d.paths['/api/v1/namespaces/{namespace}/pods'];
    assert.equal(coll?.get?.['x-kubernetes-action'], 'list');
    assert.equal(coll?.get?.operationId, 'listCoreV1NamespacedPod');
    assert.equal(coll?.post?.['x-kubernetes-action'], 'post');
    assert.equal(coll?.delete?.['x-kubernetes-action'], 'deletecollection');
    const item = d.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
    assert.deepEqual(Object.keys(item ?? {}).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
    assert.equal(item?.put?.operationId, 'replaceCoreV1NamespacedPod');
    assert.equal(d.paths['/api/v1/pods']?.get?.operationId, 'listCoreV1PodForAllNamespaces');
    assert.deepEqual(
      d.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction']?.post?.[
        'x-kubernetes-group-version-kind'
      ],
      {
        group: 'policy',
        kind: 'Eviction',
        version: 'v1',
      },
    );
    assert.ok(d.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding']?.post);
    assert.ok(d.paths['/api/v1/namespaces/{namespace}/pods/{name}/status']?.patch);
    assert.ok(d.paths['/api/v1/namespaces/{namespace}/pods/{name}/log']?.get);
    assert.equal(d.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec'], undefined);
    assert.ok(d.paths['/api/v1/namespaces/{name}']?.get, 'cluster-scoped item path');
    assert.equal(d.paths['/api/v1/nodes/{name}']?.patch?.operationId, 'patchCoreV1Node');
    const apps = doc('apis/apps/v1');
    const scale = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    assert.deepEqual(scale?.patch?.['x-kubernetes-group-version-kind'], {
      group: 'autoscaling',
      kind: 'Scale',
      version: 'v1',
    });
    assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
    const rbac = doc('apis/rbac.authorization.k8s.io/v1');
    assert.equal(
      rbac.paths['/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}']?.get?.operationId,
      'readRbacAuthorizationV1ClusterRole',
    );
  });

  void test('create-only review kinds have only a POST on the collection', () => {
    const d = doc('apis/authorization.k8s.io/v1');
    const ssar = d.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'];
    assert.deepEqual(Object.keys(ssar ?? {}).sort(), ['parameters', 'post']);
    assert.equal(d.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/{name}'], undefined);
    assert.ok(
      d.paths['/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews']?.post,
    );
  });

  void test('components hold every referenced schema, with descriptions for explain', () => {
    for (const key of api.keys()) {
      const d = doc(key);
      const visit = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(visit);
        else if (typeof v === 'object' && v !== null) {
          for (const [k, x] of Object.entries(v)) {
            // A property may be named `$ref` (JSONSchemaProps has one); references are strings.
            if (k === '$ref' && typeof x === 'string')
              assert.ok(d.components.schemas[refName(x) ?? ''], `${key}: dangling ${x}`);
            else visit(x);
          }
        }
      };
      visit(d);
    }
    // kubectl explain deployment.spec.replicas
    const apps = doc('apis/apps/v1');
    const deployment = schemaByGvk(apps, { group: 'apps', version: 'v1', kind: 'Deployment' });
    const spec = deref(apps, deployment?.properties?.spec);
    const replicas = spec?.properties?.replicas;
    assert.equal(replicas?.type, 'integer');
    assert.match(replicas?.description ?? '', /^Number of desired pods/);
    // kubectl explain pods.spec.containers
    const core = doc('api/v1');
    const podSpec = deref(
      core,
      schemaByGvk(core, { group: '', version: 'v1', kind: 'Pod' })?.properties?.spec,
    );
    const containers = podSpec?.properties?.containers;
    assert.match(containers?.description ?? '', /containers belonging to the pod/);
    const container = deref(core, containers?.items);
    assert.match(container?.description ?? '', /single application container/);
    assert.ok(container?.properties?.imagePullPolicy?.description);
    // kubectl explain svc
    const svc = schemaByGvk(core, { group: '', version: 'v1', kind: 'Service' });
    assert.match(svc?.description ?? '', /^Service is a named abstraction/);
    // core and events.k8s.io Events stay apart
    assert.ok(schemaByGvk(core, { group: '', version: 'v1', kind: 'Event' }));
    assert.equal(schemaByGvk(core, { group: 'events.k8s.io', version: 'v1', kind: 'Event' }), undefined);
  });

  void test('older versions get the current schema under their own GVK; unknown kinds get minimal schemas', () => {
    const ext = doc('apis/extensions/v1beta1');
    const dep = ext.components.schemas['io.k8s.api.extensions.v1beta1.Deployment'];
    assert.deepEqual(dep?.['x-kubernetes-group-version-kind'], [
      { group: 'extensions', kind: 'Deployment', version: 'v1beta1' },
    ]);
    assert.ok(deref(ext, dep?.properties?.spec)?.properties?.replicas);
    const metrics = doc('apis/metrics.k8s.io/v1beta1');
    const pm = schemaByGvk(metrics, { group: 'metrics.k8s.io', version: 'v1beta1', kind: 'PodMetrics' });
    assert.equal(pm?.['x-kubernetes-preserve-unknown-fields'], true);
    assert.ok(metrics.paths['/apis/metrics.k8s.io/v1beta1/pods']?.get);
    assert.equal(
      metrics.paths['/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}']?.patch,
      undefined,
    );
  });

  void test('fallback schemas still satisfy the validation gate', () => {
    const fallback = buildOpenApi(resources, { schemas: indexSchemas(fallbackSchemaFile()) });
    const d = doc('apis/apps/v1', fallback);
    assert.equal(supportsFieldValidation(d, { group: 'apps', version: 'v1', kind: 'Deployment' }), true);
    assert.ok(d.paths['/apis/apps/v1/namespaces/{namespace}/deployments']?.get, 'list op present');
    assert.ok(schemaByGvk(d, { group: 'apps', version: 'v1', kind: 'Deployment' })?.description);
  });
});
