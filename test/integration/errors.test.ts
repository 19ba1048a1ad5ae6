import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAuthenticator } from '../../src/apiserver/auth/authenticator.js';
import { ensurePki, type Pki } from '../../src/apiserver/auth/pki.js';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { call, type HttpResult } from '../helpers/http.js';

const CM_PATH = '/api/v1/namespaces/default/configmaps';
const PODS_PATH = '/api/v1/namespaces/default/pods';
const DEPLOY_PATH = '/apis/apps/v1/namespaces/default/deployments';

const cm = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...extra },
  data: { a: '1' },
});

const deployment = (name: string, specExtra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    ...specExtra,
  },
});

/** A non-2xx answer must be a Failure Status whose code equals the HTTP status. */
function assertStatus(r: HttpResult, code: number, reason: string): void {
  assert.equal(r.status, code, `expected ${code}, got ${r.status}: ${r.text}`);
  assert.equal(r.json?.kind, 'Status', r.text);
  assert.equal(r.json.apiVersion, 'v1');
  assert.equal(r.json.status, 'Failure');
  assert.equal(r.json.code, code);
  assert.equal(r.json.reason, reason);
}

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

describe('decoding errors', () => {
  test('malformed JSON is 400 BadRequest with the decoder error', async () => {
    const r = await call(t.url, 'POST', CM_PATH, '{"apiVersion":"v1","kind":"ConfigMap",');
    assertStatus(r, 400, 'BadRequest');
    assert.match(
      r.json.message,
      /^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: /,
    );
  });

  test('malformed YAML is 400 BadRequest', async () => {
    const r = await call(t.url, 'POST', CM_PATH, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x\n', {
      'content-type': 'application/yaml',
    });
    assertStatus(r, 400, 'BadRequest');
    assert.match(
      r.json.message,
      /^the object provided is unrecognized \(must be of type ConfigMap\): error converting YAML to JSON: /,
    );
  });

  test('a body kind other than the URL kind is 400 BadRequest', async () => {
    const r = await call(t.url, 'POST', PODS_PATH, cm('kind-mismatch'));
    assertStatus(r, 400, 'BadRequest');
    assert.match(r.json.message, /^ConfigMap in version "v1" cannot be handled as a Pod: /);
  });

  test('an unsupported Content-Type is 415 UnsupportedMediaType', async () => {
    const r = await call(t.url, 'POST', CM_PATH, JSON.stringify(cm('ct')), { 'content-type': 'text/plain' });
    assertStatus(r, 415, 'UnsupportedMediaType');
    assert.equal(
      r.json.message,
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    );
  });

  test('a body over 3 MiB is 413 RequestEntityTooLarge', async () => {
    const big = cm('big');
    big.data = { a: 'x'.repeat(3 * 1024 * 1024 + 10) };
    const r = await call(t.url, 'POST', CM_PATH, big);
    assertStatus(r, 413, 'RequestEntityTooLarge');
    assert.equal(r.json.message, 'Request entity too large: limit is 3145728');
    // The server keeps serving afterwards.
    assert.equal((await call(t.url, 'GET', CM_PATH)).status, 200);
  });
});

describe('routing errors', () => {
  test('an unknown resource in the URL is 404 NotFound', async () => {
    const r = await call(t.url, 'GET', '/api/v1/namespaces/default/widgets');
    assertStatus(r, 404, 'NotFound');
    assert.equal(r.json.message, 'the server could not find the requested resource');
  });

  test('an unknown version in the URL is 404 NotFound', async () => {
    const r = await call(t.url, 'GET', '/apis/apps/v9/namespaces/default/deployments');
    assertStatus(r, 404, 'NotFound');
    assert.equal(r.json.message, 'the server could not find the requested resource');
  });

  test('an unknown group in the URL is 404 NotFound', async () => {
    const r = await call(t.url, 'POST', '/apis/nope.example.com/v1/namespaces/default/things', cm('x'));
    assertStatus(r, 404, 'NotFound');
  });

  test('PUT on a collection is 405 MethodNotAllowed', async () => {
    const r = await call(t.url, 'PUT', CM_PATH, cm('m'));
    assertStatus(r, 405, 'MethodNotAllowed');
    assert.equal(r.json.message, 'the server does not allow this method on the requested resource');
  });
});

describe('validation errors', () => {
  test('an over-long name is 422 Invalid naming metadata.name', async () => {
    const name = 'a'.repeat(254);
    const r = await call(t.url, 'POST', CM_PATH, cm(name));
    assertStatus(r, 422, 'Invalid');
    assert.equal(
      r.json.message,
      `ConfigMap "${name}" is invalid: metadata.name: Invalid value: "${name}": must be no more than 253 characters`,
    );
    assert.equal(r.json.details.name, name);
    assert.equal(r.json.details.kind, 'ConfigMap');
    assert.deepEqual(
      r.json.details.causes.map((c: { field: string }) => c.field),
      ['metadata.name'],
    );
  });

  test('a bad label key is 422 Invalid naming metadata.labels', async () => {
    const r = await call(t.url, 'POST', CM_PATH, cm('bad-labels', { labels: { 'bad key!': 'v' } }));
    assertStatus(r, 422, 'Invalid');
    assert.match(
      r.json.message,
      /^ConfigMap "bad-labels" is invalid: metadata\.labels: Invalid value: "bad key!": /,
    );
    assert.equal(r.json.details.causes[0].field, 'metadata.labels');
    assert.equal(r.json.details.causes[0].reason, 'FieldValueInvalid');
  });

  test('a bad label value is 422 Invalid naming metadata.labels', async () => {
    const r = await call(t.url, 'POST', CM_PATH, cm('bad-label-value', { labels: { ok: 'no spaces' } }));
    assertStatus(r, 422, 'Invalid');
    assert.match(r.json.message, /metadata\.labels: Invalid value: "no spaces": /);
    assert.equal(r.json.details.causes[0].field, 'metadata.labels');
  });
});

describe('field validation', () => {
  test('Strict rejects an unknown field with the strict decoding error', async () => {
    const r = await call(
      t.url,
      'POST',
      `${DEPLOY_PATH}?fieldValidation=Strict`,
      deployment('strict', { foo: 1 }),
    );
    assertStatus(r, 400, 'BadRequest');
    assert.equal(
      r.json.message,
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"',
    );
  });

  test('Warn accepts an unknown field and answers a Warning header', async () => {
    const r = await call(
      t.url,
      'POST',
      `${DEPLOY_PATH}?fieldValidation=Warn`,
      deployment('warn', { foo: 1 }),
    );
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.warning, '299 - "unknown field \\"spec.foo\\""');
    assert.equal(r.json.spec.foo, undefined);
  });

  test('an unknown fieldValidation value is 400', async () => {
    const r = await call(t.url, 'POST', `${DEPLOY_PATH}?fieldValidation=Loud`, deployment('loud'));
    assertStatus(r, 400, 'BadRequest');
  });
});

describe('update errors', () => {
  test('PUT with a body name other than the URL name is 400 BadRequest', async () => {
    await call(t.url, 'POST', CM_PATH, cm('put-a'));
    const r = await call(t.url, 'PUT', `${CM_PATH}/put-a`, cm('put-b'));
    assertStatus(r, 400, 'BadRequest');
    assert.equal(r.json.message, 'the name of the object (put-b) does not match the name on the URL (put-a)');
  });

  test('PUT with a stale resourceVersion is 409 Conflict', async () => {
    const c = await call(t.url, 'POST', CM_PATH, cm('stale-rv'));
    assert.equal(c.status, 201);
    const u1 = await call(t.url, 'PUT', `${CM_PATH}/stale-rv`, { ...c.json, data: { a: '2' } });
    assert.equal(u1.status, 200);
    const u2 = await call(t.url, 'PUT', `${CM_PATH}/stale-rv`, { ...c.json, data: { a: '3' } });
    assertStatus(u2, 409, 'Conflict');
    assert.equal(
      u2.json.message,
      'Operation cannot be fulfilled on configmaps "stale-rv": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  test('DELETE with an unknown propagationPolicy is 422 Invalid DeleteOptions', async () => {
    await call(t.url, 'POST', CM_PATH, cm('del-policy'));
    const r = await call(t.url, 'DELETE', `${CM_PATH}/del-policy`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Sideways',
    });
    assertStatus(r, 422, 'Invalid');
    assert.equal(
      r.json.message,
      'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"',
    );
    // Still there.
    assert.equal((await call(t.url, 'GET', `${CM_PATH}/del-policy`)).status, 200);
  });
});

describe('list query errors', () => {
  test('an invalid continue token is 400 BadRequest', async () => {
    const r = await call(t.url, 'GET', `${CM_PATH}?limit=1&continue=not-a-token!!`);
    assertStatus(r, 400, 'BadRequest');
    assert.match(r.json.message, /^invalid continue token: continue key is not valid/);
  });

  test('an invalid label selector is 400 BadRequest', async () => {
    const r = await call(t.url, 'GET', `${CM_PATH}?labelSelector=${encodeURIComponent('a in b')}`);
    assertStatus(r, 400, 'BadRequest');
  });

  test('an unsupported field selector is 400 BadRequest', async () => {
    const r = await call(t.url, 'GET', `${PODS_PATH}?fieldSelector=${encodeURIComponent('spec.foo=x')}`);
    assertStatus(r, 400, 'BadRequest');
    assert.equal(r.json.message, 'field label not supported: spec.foo');
  });

  test('an invalid limit is 400 BadRequest', async () => {
    const r = await call(t.url, 'GET', `${CM_PATH}?limit=abc`);
    assertStatus(r, 400, 'BadRequest');
  });
});

/** Cases the fuzz test found: each is a single request that must get a 4xx Status, not a 5xx or a hang. */
describe('hostile bodies and paths', () => {
  const typeMismatch = (kind: string, version: string) =>
    new RegExp(`^${kind} in version "${version}" cannot be handled as a ${kind}: json: cannot unmarshal `);

  test('an unknown field whose name is not ASCII is answered, with a Warning header', async () => {
    const body = JSON.stringify({ ...cm('unicode-field'), 'bad\u00e9\u263a\n': 1 });
    const res = await fetch(`${t.url}${CM_PATH}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(res.status, 201, await res.text());
    assert.match(res.headers.get('warning') ?? '', /^299 - "unknown field /);
  });

  test('a non-string generateName is 400 BadRequest', async () => {
    const body = { ...deployment('gen-type'), metadata: { name: 'gen-type', generateName: [1] } };
    const r = await call(t.url, 'POST', DEPLOY_PATH, body);
    assertStatus(r, 400, 'BadRequest');
    assert.match(r.json.message, typeMismatch('Deployment', 'v1'));
  });

  test('a Service whose spec.ports is a number is 400 BadRequest', async () => {
    const r = await call(t.url, 'POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ports-type' },
      spec: { ports: 5 },
    });
    assertStatus(r, 400, 'BadRequest');
    assert.match(r.json.message, typeMismatch('Service', 'v1'));
  });

  test('a Service whose spec is a boolean is 400 BadRequest', async () => {
    const r = await call(t.url, 'POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'spec-type' },
      spec: false,
    });
    assertStatus(r, 400, 'BadRequest');
    assert.match(r.json.message, typeMismatch('Service', 'v1'));
  });

  test('an autoscaling/v1 HPA whose annotations are a string is 400 BadRequest', async () => {
    const r = await call(t.url, 'POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'hpa-annotations', annotations: 'note' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, maxReplicas: 2 },
    });
    assertStatus(r, 400, 'BadRequest');
    assert.match(r.json.message, typeMismatch('HorizontalPodAutoscaler', 'v1'));
  });

  test('an apply patch whose metadata is a string is 400 BadRequest', async () => {
    const r = await call(
      t.url,
      'PATCH',
      `${CM_PATH}/apply-meta?fieldManager=fuzz`,
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":"str"}',
      { 'content-type': 'application/apply-patch+yaml' },
    );
    assertStatus(r, 400, 'BadRequest');
  });

  test('a continue token with an out-of-range resourceVersion is 400 BadRequest', async () => {
    const token = Buffer.from('{"v":"meta.k8s.io/v1","rv":1e+300,"start":"a"}').toString('base64url');
    const r = await call(t.url, 'GET', `${PODS_PATH}?limit=1&continue=${token}`);
    assertStatus(r, 400, 'BadRequest');
    assert.match(r.json.message, /continue key is not valid/);
  });

  test('a path starting with // that is no URL authority is 404 NotFound', async () => {
    const r = await call(t.url, 'DELETE', '//r]7ok]8eb');
    assertStatus(r, 404, 'NotFound');
  });

  test('a 70 kB object name in the URL is answered with a Status (404), not a bare 431', async () => {
    const name = 'a'.repeat(70_000);
    const r = await call(t.url, 'GET', `${CM_PATH}/${name}`);
    assertStatus(r, 404, 'NotFound');
  });

  test('an autoscaling/v2 HPA with a null metric is 422, and autoscaling/v1 lists keep working', async () => {
    const hpaPath = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';
    const c = await call(t.url, 'POST', hpaPath, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'null-metric' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' },
        maxReplicas: 2,
        metrics: [null],
      },
    });
    assertStatus(c, 422, 'Invalid');
    assert.match(c.json.message, /spec\.metrics\[0\]\.type: Required value/);
    const l = await call(t.url, 'GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers');
    assert.equal(l.status, 200, l.text);
  });

  test('the default namespace may not be deleted: 403 Forbidden', async () => {
    const r = await call(t.url, 'DELETE', '/api/v1/namespaces/default');
    assertStatus(r, 403, 'Forbidden');
    assert.equal(r.json.message, 'namespaces "default" is forbidden: this namespace may not be deleted');
  });

  test('kube-system may not be deleted: 403 Forbidden', async () => {
    const r = await call(t.url, 'DELETE', '/api/v1/namespaces/kube-system');
    assertStatus(r, 403, 'Forbidden');
    assert.equal(r.json.message, 'namespaces "kube-system" is forbidden: this namespace may not be deleted');
  });
});

interface TlsResult {
  status: number;
  text: string;
  json: any;
}

function tlsGet(
  port: number,
  path: string,
  ca: string,
  headers: Record<string, string> = {},
): Promise<TlsResult> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, method: 'GET', ca, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('authentication over TLS', () => {
  const token = 'errors-test-admin-token';
  let dir: string;
  let pki: Pki;
  let store: MemoryStore;
  let api: RunningApiServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tugboat-errors-'));
    pki = await ensurePki(join(dir, 'tls'), { hosts: [], ips: [] });
    store = new MemoryStore();
    api = await startApiServer({
      bindAddress: '127.0.0.1',
      port: 0,
      tls: { cert: pki.servingCert, key: pki.servingKey, clientCA: pki.caCert },
      authenticator: createAuthenticator({
        tokens: [{ token, username: 'admin', uid: 'admin', groups: ['system:masters'] }],
      }),
      store,
      serviceCIDR: '10.43.0.0/16',
    });
  });
  after(async () => {
    await api.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a request without credentials is 401 Unauthorized', async () => {
    const r = await tlsGet(api.port, CM_PATH, pki.caCert);
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json?.kind, 'Status');
    assert.equal(r.json.code, 401);
    assert.equal(r.json.reason, 'Unauthorized');
    assert.equal(r.json.message, 'Unauthorized');
  });

  test('a wrong bearer token is 401 Unauthorized', async () => {
    const r = await tlsGet(api.port, CM_PATH, pki.caCert, { authorization: 'Bearer wrong' });
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json?.reason, 'Unauthorized');
  });

  test('the admin token lists', async () => {
    const r = await tlsGet(api.port, CM_PATH, pki.caCert, { authorization: `Bearer ${token}` });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.kind, 'ConfigMapList');
  });

  test('/healthz and /version answer without credentials', async () => {
    const h = await tlsGet(api.port, '/healthz', pki.caCert);
    assert.equal(h.status, 200);
    assert.equal(h.text, 'ok');
    const v = await tlsGet(api.port, '/version', pki.caCert);
    assert.equal(v.status, 200);
    assert.match(v.json.gitVersion, /^v1\./);
  });
});
