import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { R, resourcePath, type ResourceType } from '../../src/client/resources.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { call } from '../helpers/http.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.close();
});

/** A request as a plain HTTP client sends it, with its content type. */
const request = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
  call(server.url, method, path, body, { 'content-type': contentType, accept: 'application/json' });

const webhook = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  clientConfig: { url: 'https://webhook.example.com/check' },
  rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  // No namespace carries this label: the configurations never match a request of these tests.
  namespaceSelector: { matchLabels: { 'webhook-test': 'never' } },
  ...extra,
});

const body = (r: ResourceType, name: string, webhooks: unknown[]) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: r.kind,
  metadata: { name },
  webhooks,
});

describe('webhook configurations over HTTP', () => {
  test('discovery lists both kinds, cluster-scoped, in category api-extensions', async () => {
    const { status, json } = await request('GET', '/apis/admissionregistration.k8s.io/v1');
    assert.equal(status, 200);
    const byName = new Map((json.resources as any[]).map((r) => [r.name, r]));
    for (const [plural, kind] of [
      ['mutatingwebhookconfigurations', 'MutatingWebhookConfiguration'],
      ['validatingwebhookconfigurations', 'ValidatingWebhookConfiguration'],
    ]) {
      const r = byName.get(plural);
      assert.equal(r?.kind, kind);
      assert.equal(r?.namespaced, false);
      assert.deepEqual(r?.categories, ['api-extensions']);
      assert.equal(r?.shortNames, undefined);
    }
  });

  test('a validating configuration is created defaulted, read back and listed', async () => {
    const path = resourcePath(R.validatingWebhookConfigurations);
    const created = await request(
      'POST',
      path,
      body(R.validatingWebhookConfigurations, 'policy', [webhook('a.example.com')]),
    );
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const got = await request('GET', `${path}/policy`);
    assert.equal(got.status, 200);
    assert.equal(got.json.metadata.generation, 1);
    const hook = got.json.webhooks[0];
    assert.equal(hook.failurePolicy, 'Fail');
    assert.equal(hook.matchPolicy, 'Equivalent');
    assert.equal(hook.timeoutSeconds, 10);
    assert.deepEqual(hook.objectSelector, {});
    assert.equal(hook.rules[0].scope, '*');
    assert.equal(hook.reinvocationPolicy, undefined);
    const list = await request('GET', path);
    assert.deepEqual(
      (list.json.items as any[]).map((i) => i.metadata.name),
      ['policy'],
    );
  });

  test('a mutating configuration with a service: port 443 and reinvocationPolicy Never', async () => {
    const path = resourcePath(R.mutatingWebhookConfigurations);
    const created = await request(
      'POST',
      path,
      body(R.mutatingWebhookConfigurations, 'injector', [
        webhook('inject.example.com', {
          clientConfig: { service: { namespace: 'default', name: 'injector' }, caBundle: 'Cg==' },
          matchConditions: [{ name: 'not-system', expression: "!request.namespace.startsWith('kube-')" }],
        }),
      ]),
    );
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const hook = created.json.webhooks[0];
    assert.deepEqual(hook.clientConfig, {
      service: { namespace: 'default', name: 'injector', port: 443 },
      caBundle: 'Cg==',
    });
    assert.equal(hook.reinvocationPolicy, 'Never');
  });

  test('a strategic merge patch merges webhooks by name and bumps the generation', async () => {
    const path = resourcePath(R.validatingWebhookConfigurations, undefined, 'two');
    const created = await request(
      'POST',
      resourcePath(R.validatingWebhookConfigurations),
      body(R.validatingWebhookConfigurations, 'two', [webhook('a.example.com'), webhook('b.example.com')]),
    );
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const patched = await request(
      'PATCH',
      path,
      { webhooks: [{ name: 'b.example.com', failurePolicy: 'Ignore' }] },
      'application/strategic-merge-patch+json',
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    assert.deepEqual(
      (patched.json.webhooks as any[]).map((h) => [h.name, h.failurePolicy]),
      [
        ['a.example.com', 'Fail'],
        ['b.example.com', 'Ignore'],
      ],
    );
    assert.equal(patched.json.metadata.generation, 2);
    const relabeled = await request(
      'PATCH',
      path,
      { metadata: { labels: { team: 'x' } } },
      'application/merge-patch+json',
    );
    assert.equal(relabeled.json.metadata.generation, 2);
  });

  test('an invalid configuration is refused with 422 and one cause per field', async () => {
    const { status, json } = await request(
      'POST',
      resourcePath(R.validatingWebhookConfigurations),
      body(R.validatingWebhookConfigurations, 'bad', [
        webhook('bad', {
          sideEffects: 'Some',
          timeoutSeconds: 31,
          matchConditions: [{ name: 'x', expression: 'object.x in [1, 2,' }],
        }),
      ]),
    );
    assert.equal(status, 422);
    assert.equal(json.reason, 'Invalid');
    assert.deepEqual(
      (json.details.causes as any[]).map((c) => c.field),
      [
        'webhooks[0].name',
        'webhooks[0].sideEffects',
        'webhooks[0].timeoutSeconds',
        'webhooks[0].matchConditions[0].expression',
      ],
    );
    assert.match(
      json.message,
      /^ValidatingWebhookConfiguration\.admissionregistration\.k8s\.io "bad" is invalid: /,
    );
  });

  test('an update that breaks a webhook is refused', async () => {
    const path = resourcePath(R.validatingWebhookConfigurations, undefined, 'policy');
    const current = (await request('GET', path)).json;
    current.webhooks[0].admissionReviewVersions = ['v9'];
    const { status, json } = await request('PUT', path, current);
    assert.equal(status, 422);
    assert.deepEqual(
      (json.details.causes as any[]).map((c) => [c.field, c.message]),
      [
        [
          'webhooks[0].admissionReviewVersions',
          'Invalid value: []string{"v9"}: must include at least one of v1, v1beta1',
        ],
      ],
    );
  });

  test('a caBundle that is not base64 is a 400, as upstream decodes []byte', async () => {
    const { status, json } = await request(
      'POST',
      resourcePath(R.mutatingWebhookConfigurations),
      body(R.mutatingWebhookConfigurations, 'badca', [
        webhook('ca.example.com', { clientConfig: { url: 'https://a.example.com', caBundle: 'not base64' } }),
      ]),
    );
    assert.equal(status, 400);
    assert.equal(
      json.message,
      'MutatingWebhookConfiguration in version "v1" cannot be handled as a MutatingWebhookConfiguration: illegal base64 data at input byte 3',
    );
  });

  test('tables count the webhooks', async () => {
    const res = await fetch(`${server.url}${resourcePath(R.validatingWebhookConfigurations)}`, {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    });
    const table = (await res.json()) as any;
    assert.deepEqual(
      (table.columnDefinitions as any[]).map((c) => c.name),
      ['Name', 'Webhooks', 'Age'],
    );
    const rows = new Map((table.rows as any[]).map((r) => [r.cells[0], r.cells[1]]));
    assert.equal(rows.get('policy'), 1);
    assert.equal(rows.get('two'), 2);
  });
});
