/**
 * Admission webhooks through the API: Validating/MutatingWebhookConfigurations calling a real HTTPS webhook
 * (refusals, JSONPatch mutations, failure policies, selectors, matchConditions, service references, DELETE,
 * equivalent versions, reinvocation, audit annotations).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { ApiClient, R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { startWebhookServer, type WebhookServer } from '../helpers/webhook-server.js';
import { Auditor } from '../../src/apiserver/audit/auditor.js';
import type { AuditEvent } from '../../src/apiserver/audit/event.js';
import { parseAuditPolicy } from '../../src/apiserver/audit/policy.js';

let s: TestServer;
let client: ApiClient;
let hook: WebhookServer;

/** ConfigMap creates' audit events (the test server audits them at Request). */
const audited: AuditEvent[] = [];

before(async () => {
  const policy = parseAuditPolicy(
    'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\n' +
      'rules: [{level: Request, resources: [{group: "", resources: [configmaps]}], verbs: [create]}]',
  );
  s = await startTestServer({
    audit: new Auditor(policy, { write: (ev) => audited.push(structuredClone(ev)) }),
  });
  client = new ApiClient({ server: s.url });
  hook = await startWebhookServer(['hook-svc.hooks.svc']);
});
after(async () => {
  await hook.close();
  await s.close();
});

const validating = () => client.resource<any>(R.validatingWebhookConfigurations);
const mutating = () => client.resource<any>(R.mutatingWebhookConfigurations);
const configMaps = () => client.resource<any>(R.configMaps);

beforeEach(async () => {
  for (const c of (await validating().list('')).items) await validating().delete('', c.metadata.name);
  for (const c of (await mutating().list('')).items) await mutating().delete('', c.metadata.name);
  hook.seen.length = 0;
});

type Err = Error & { status?: { code?: number; reason?: string; message?: string } };

function webhook(name: string, path: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    clientConfig: { url: `https://127.0.0.1:${hook.port}${path}`, caBundle: hook.caBundle },
    rules: [
      { operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] },
    ],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    ...extra,
  };
}

async function configure(kind: 'validating' | 'mutating', name: string, webhooks: unknown[]): Promise<void> {
  const api = kind === 'validating' ? validating() : mutating();
  await api.create({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: kind === 'validating' ? 'ValidatingWebhookConfiguration' : 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks,
  });
  // The server learns configurations from its watch: wait until one of its requests reaches the webhook.
  await waitFor(async () => {
    const before = hook.seen.length;
    try {
      await configMaps().create({
        metadata: { name: `probe-${Math.random().toString(36).slice(2, 8)}`, namespace: 'default' },
      });
    } catch {
      // refused by the new webhook: it is live
    }
    return hook.seen.length > before ? true : undefined;
  });
  hook.seen.length = 0;
}

function cm(name: string, labels: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', labels },
    data: { a: '1' },
  };
}

test('a validating webhook refuses a create with its message, and sees the request', async () => {
  hook.handle('/deny', (req) =>
    req.object?.metadata?.labels?.ok === 'yes'
      ? { allowed: true }
      : { allowed: false, status: { message: 'no way' } },
  );
  await configure('validating', 'deny', [webhook('deny.example.com', '/deny')]);
  await assert.rejects(configMaps().create(cm('refused')), (err: Err) => {
    assert.equal(err.status?.code, 403);
    assert.equal(err.status?.reason, 'Forbidden');
    assert.equal(
      err.status?.message,
      'configmaps "refused" is forbidden: admission webhook "deny.example.com" denied the request: no way',
    );
    return true;
  });
  const created = await configMaps().create(cm('allowed', { ok: 'yes' }));
  assert.equal(created.metadata.name, 'allowed');
  const seen = hook.seen.find((x) => x.request.name === 'allowed')!.request;
  assert.equal(seen.operation, 'CREATE');
  assert.deepEqual(seen.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
  assert.deepEqual(seen.resource, { group: '', version: 'v1', resource: 'configmaps' });
  assert.equal(seen.namespace, 'default');
  assert.equal(seen.userInfo.username, 'admin');
  assert.equal(seen.dryRun, false);
  assert.equal(seen.oldObject, null);
  assert.equal((seen.options as { kind: string }).kind, 'CreateOptions');
});

test('a mutating webhook patches the object before validation and storage; validating webhooks see the patch', async () => {
  hook.handle('/label', (req) => ({
    allowed: true,
    patch: [{ op: 'add', path: '/metadata/labels/stamped', value: req.operation.toLowerCase() }],
    warnings: ['stamped by the webhook'],
  }));
  hook.handle('/check', (req) =>
    req.object?.metadata?.labels?.stamped
      ? { allowed: true }
      : { allowed: false, status: { message: 'not stamped' } },
  );
  await configure('mutating', 'stamp', [webhook('stamp.example.com', '/label')]);
  await configure('validating', 'check', [webhook('check.example.com', '/check')]);
  const created = await configMaps().create(cm('mutated'));
  assert.equal(created.metadata.labels.stamped, 'create');
  const stored = await configMaps().get('default', 'mutated');
  assert.equal(stored.metadata.labels.stamped, 'create');
  const updated = await configMaps().patch('default', 'mutated', 'merge', { data: { a: '2' } });
  assert.equal(updated.metadata.labels.stamped, 'update');
  const update = hook.seen.find((x) => x.path === '/check' && x.request.operation === 'UPDATE')!.request;
  assert.equal(update.oldObject?.metadata?.labels?.stamped, 'create');
  assert.equal(update.object?.data?.a, '2');
});

test('a mutating webhook may not change server-owned metadata, and a bad patch is an internal error', async () => {
  hook.handle('/rename', () => ({
    allowed: true,
    patch: [
      { op: 'replace', path: '/metadata/name', value: 'other' },
      { op: 'add', path: '/data/b', value: 'x' },
    ],
  }));
  await configure('mutating', 'rename', [webhook('rename.example.com', '/rename')]);
  const created = await configMaps().create(cm('kept-name'));
  assert.equal(created.metadata.name, 'kept-name');
  assert.equal(created.data.b, 'x');
  hook.handle('/rename', () => ({ allowed: true, patch: [{ op: 'remove', path: '/nowhere/at/all' }] }));
  await assert.rejects(configMaps().create(cm('bad-patch')), (err: Err) => {
    assert.equal(err.status?.code, 500);
    return true;
  });
});

test('failurePolicy: Fail refuses when the webhook is unreachable, Ignore lets the write through', async () => {
  const down = (name: string, policy: string) => ({
    ...webhook(name, '/x', { failurePolicy: policy }),
    clientConfig: { url: 'https://127.0.0.1:1/x', caBundle: hook.caBundle },
  });
  await validating().create({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'down' },
    webhooks: [down('down.example.com', 'Fail')],
  });
  const err = await waitFor(async () => {
    try {
      await configMaps().create(cm(`fail-${Date.now()}`));
      return undefined;
    } catch (e) {
      return e as Err;
    }
  });
  assert.equal(err.status?.code, 500);
  assert.equal(err.status?.reason, 'InternalError');
  assert.match(
    err.status?.message ?? '',
    /^Internal error occurred: failed calling webhook "down\.example\.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:1\/x\?timeout=10s": dial tcp 127\.0\.0\.1:1: connect: connection refused$/,
  );
  const current = await validating().get('', 'down');
  current.webhooks[0].failurePolicy = 'Ignore';
  await validating().update(current);
  await waitFor(async () => {
    try {
      return await configMaps().create(cm(`ignored-${Date.now()}`));
    } catch {
      return undefined;
    }
  });
});

test('namespace and object selectors and matchConditions choose the requests a webhook sees', async () => {
  hook.handle('/deny', () => ({ allowed: false, status: { message: 'denied' } }));
  await client.resource<any>(R.namespaces).create({ metadata: { name: 'guarded', labels: { guard: 'on' } } });
  await configure('validating', 'selective', [
    webhook('selective.example.com', '/deny', {
      namespaceSelector: { matchLabels: { guard: 'on' } },
      objectSelector: { matchExpressions: [{ key: 'exempt', operator: 'DoesNotExist' }] },
      matchConditions: [
        {
          name: 'not-skipped',
          expression: "object.metadata.name != 'skip-me' && request.operation == 'CREATE'",
        },
      ],
    }),
  ]).catch(() => {
    // the probe goes to the default namespace, which the selector leaves out: configure waits in vain
  });
  hook.seen.length = 0;
  await configMaps().create(cm('elsewhere'));
  const guarded = (name: string, labels: Record<string, string> = {}) => ({
    ...cm(name, labels),
    metadata: { name, namespace: 'guarded', labels },
  });
  await waitFor(async () => {
    try {
      await configMaps().create(guarded(`probe-${Date.now()}`));
      return undefined;
    } catch (e) {
      return (e as Err).status?.code === 403 ? true : undefined;
    }
  });
  await configMaps().create(guarded('exempted', { exempt: 'yes' }));
  await configMaps().create(guarded('skip-me'));
  await assert.rejects(configMaps().create(guarded('caught')), /denied/);
  assert.ok(!hook.seen.some((x) => ['elsewhere', 'exempted', 'skip-me'].includes(x.request.name)));
});

test('DELETE reaches webhooks with the stored object as oldObject', async () => {
  await configMaps().create(cm('to-delete'));
  hook.handle('/nodelete', (req) =>
    req.oldObject?.metadata?.labels?.keep === 'true'
      ? { allowed: false, status: { message: 'kept', code: 409 } }
      : { allowed: true },
  );
  await configMaps().create(cm('kept', { keep: 'true' }));
  await configure('validating', 'nodelete', [
    webhook('nodelete.example.com', '/nodelete', {
      rules: [
        { operations: ['DELETE', 'CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] },
      ],
    }),
  ]);
  await configMaps().delete('default', 'to-delete');
  const del = hook.seen.find((x) => x.request.operation === 'DELETE')!.request;
  assert.equal(del.object, null);
  assert.equal(del.oldObject?.metadata?.name, 'to-delete');
  assert.equal((del.options as { kind: string }).kind, 'DeleteOptions');
  await assert.rejects(configMaps().delete('default', 'kept'), (err: Err) => {
    assert.equal(err.status?.code, 409);
    assert.match(
      err.status?.message ?? '',
      /admission webhook "nodelete.example.com" denied the request: kept/,
    );
    return true;
  });
});

test('a service reference is called at its service, verified as NAME.NAMESPACE.svc', async () => {
  await client.resource<any>(R.namespaces).create({ metadata: { name: 'hooks' } });
  // An ExternalName service points at the test's loopback webhook (Endpoints may not name loopback addresses).
  await client.resource<any>(R.services).create({
    metadata: { name: 'hook-svc', namespace: 'hooks' },
    spec: { type: 'ExternalName', externalName: 'localhost' },
  });
  hook.handle('/svc', () => ({ allowed: false, status: { message: 'via service' } }));
  await configure('validating', 'by-service', [
    {
      ...webhook('svc.example.com', '/svc'),
      clientConfig: {
        service: { namespace: 'hooks', name: 'hook-svc', path: '/svc', port: hook.port },
        caBundle: hook.caBundle,
      },
    },
  ]);
  await assert.rejects(configMaps().create(cm('through-service')), /via service/);
});

test('matchPolicy Equivalent sends a request made at another version in the version of the rule', async () => {
  hook.handle('/deploy', () => ({ allowed: true }));
  await configure('validating', 'deploys', [
    webhook('deploys.example.com', '/deploy', {
      rules: [
        { operations: ['CREATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] },
      ],
    }),
  ]).catch(() => {
    // the configure probe creates ConfigMaps, which this webhook does not see
  });
  const body = {
    apiVersion: 'apps/v1beta1',
    kind: 'Deployment',
    metadata: { name: 'old-style', namespace: 'default' },
    spec: {
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
  const seen = await waitFor(async () => {
    const name = `old-style-${Date.now()}`;
    const res = await fetch(`${s.url}/apis/apps/v1beta1/namespaces/default/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, metadata: { ...body.metadata, name } }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return hook.seen.find((x) => x.request.name === name)?.request;
  });
  assert.deepEqual(seen.kind, { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.deepEqual(seen.requestKind, { group: 'apps', version: 'v1beta1', kind: 'Deployment' });
  assert.equal(seen.object?.apiVersion, 'apps/v1');
});

test('IfNeeded webhooks are called again when a later webhook changed the object', async () => {
  let firstCalls = 0;
  hook.handle('/first', () => {
    firstCalls++;
    return { allowed: true };
  });
  hook.handle('/second', (req) =>
    req.object?.metadata?.labels?.second
      ? { allowed: true }
      : { allowed: true, patch: [{ op: 'add', path: '/metadata/labels/second', value: 'yes' }] },
  );
  await configure('mutating', 'a-first', [
    webhook('first.example.com', '/first', { reinvocationPolicy: 'IfNeeded' }),
  ]);
  await configure('mutating', 'b-second', [webhook('second.example.com', '/second')]);
  firstCalls = 0;
  const created = await configMaps().create(cm('reinvoked'));
  assert.equal(created.metadata.labels.second, 'yes');
  assert.equal(firstCalls, 2);
});

test('webhook configurations themselves never go to webhooks', async () => {
  hook.handle('/all', () => ({ allowed: false, status: { message: 'everything refused' } }));
  await configure('validating', 'everything', [
    webhook('all.example.com', '/all', {
      rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*'] }],
    }),
  ]);
  await assert.rejects(configMaps().create(cm('refused-too')), /everything refused/);
  await validating().delete('', 'everything');
  await waitFor(async () => {
    try {
      return await configMaps().create(cm(`after-${Date.now()}`));
    } catch {
      return undefined;
    }
  });
});

test('an answer cut off midway, malformed statuses and badly typed patches are errors, never hangs', async () => {
  hook.handleRaw('/broken', (req, res) => {
    const name = req.name;
    if (name.startsWith('cut')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"apiVersion":');
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (name.startsWith('code')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: req.uid, allowed: false, status: { code: 'abc', message: 'x' } },
        }),
      );
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: {
            uid: req.uid,
            allowed: true,
            patchType: 'JSONPatch',
            patch: Buffer.from(JSON.stringify([{ op: 'replace', path: '/metadata', value: 'x' }])).toString(
              'base64',
            ),
          },
        }),
      );
    }
  });
  hook.handle('/broken', () => ({ allowed: true }));
  await configure('mutating', 'broken', [webhook('broken.example.com', '/broken')]);
  for (const name of ['cut-off', 'code-abc', 'typed']) {
    const started = Date.now();
    await assert.rejects(configMaps().create(cm(name)), (err: Err) => {
      assert.equal(err.status?.code, 500, `${name}: ${err.message}`);
      return true;
    });
    assert.ok(Date.now() - started < 5000, `${name} took ${Date.now() - started} ms`);
  }
});

test('a Job mutated by a webhook keeps its generated selector', async () => {
  hook.handle('/team', () => ({
    allowed: true,
    patch: [{ op: 'add', path: '/spec/template/metadata/annotations', value: { team: 'a' } }],
  }));
  await configure('mutating', 'team', [
    webhook('team.example.com', '/team', {
      rules: [
        { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] },
        { operations: ['CREATE'], apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs'] },
      ],
    }),
  ]);
  const job = await client.resource<any>(R.jobs).create({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'mutated-job', namespace: 'default' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  assert.equal(job.spec.template.metadata.annotations.team, 'a');
  assert.equal(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'], job.metadata.uid);
});

test('an update without resourceVersion is retried when another write lands while webhooks run', async () => {
  await configMaps().create(cm('raced'));
  let raced = false;
  const allow = (uid: string) =>
    JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid, allowed: true },
    });
  hook.handleRaw('/slow', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.operation !== 'UPDATE' || req.name !== 'raced' || raced) return void res.end(allow(req.uid));
    raced = true;
    // Another client writes while this webhook holds the first update.
    void configMaps()
      .patch('default', 'raced', 'merge', { data: { other: 'writer' } })
      .finally(() => res.end(allow(req.uid)));
  });
  hook.handle('/slow', () => ({ allowed: true }));
  await configure('validating', 'slow', [webhook('slow.example.com', '/slow')]);
  const replaced = await configMaps().update({ ...cm('raced'), data: { mine: 'yes' } });
  assert.ok(raced);
  assert.deepEqual(replaced.data, { mine: 'yes' });
});

test('a refusal with reason Conflict is answered at once, not retried as a lost write race', async () => {
  await configMaps().create(cm('contested'));
  let calls = 0;
  hook.handle('/conflict', (req) => {
    if (req.operation === 'UPDATE' && req.name === 'contested') calls++;
    return req.operation === 'UPDATE'
      ? { allowed: false, status: { code: 409, reason: 'Conflict', message: 'someone else owns this' } }
      : { allowed: true };
  });
  await configure('validating', 'conflict', [webhook('conflict.example.com', '/conflict')]);
  calls = 0;
  await assert.rejects(
    configMaps().patch('default', 'contested', 'merge', { data: { a: '3' } }),
    (err: Err) => {
      assert.equal(err.status?.code, 409);
      assert.match(err.status?.message ?? '', /someone else owns this/);
      return true;
    },
  );
  assert.equal(calls, 1);
});

test('a webhook’s auditAnnotations go into the request’s audit event, under its name', async () => {
  hook.handle('/annotate', (req) => ({
    allowed: req.object?.metadata?.name !== 'refused-annotated',
    auditAnnotations: { checked: 'by-hook', name: String(req.object?.metadata?.name) },
  }));
  await configure('validating', 'annotate', [webhook('annotate.example.com', '/annotate')]);
  audited.length = 0;
  await configMaps().create(cm('annotated'));
  await assert.rejects(configMaps().create(cm('refused-annotated')));
  const ev = (name: string) =>
    waitFor(() => audited.find((e) => e.objectRef?.name === name && e.stage === 'ResponseComplete'));
  assert.equal((await ev('annotated')).annotations?.['annotate.example.com/checked'], 'by-hook');
  assert.equal((await ev('annotated')).annotations?.['annotate.example.com/name'], 'annotated');
  const refused = await ev('refused-annotated');
  assert.equal(refused.annotations?.['annotate.example.com/name'], 'refused-annotated');
  assert.equal(refused.responseStatus?.code, 403);
});

test('a mutating webhook’s call is annotated: mutated or not, its patch, and a failure let through', async () => {
  hook.handle('/stamp', () => ({
    allowed: true,
    patch: [{ op: 'add', path: '/metadata/labels/stamped', value: 'yes' }],
  }));
  hook.handle('/noop', () => ({ allowed: true }));
  await configure('mutating', 'a-stamp', [
    webhook('stamp.example.com', '/stamp'),
    webhook('noop.example.com', '/noop'),
    webhook('down.example.com', '/down', {
      clientConfig: { url: 'https://127.0.0.1:1/down', caBundle: hook.caBundle },
      failurePolicy: 'Ignore',
    }),
  ]);
  audited.length = 0;
  await configMaps().create(cm('stamped'));
  const ev = await waitFor(() =>
    audited.find((e) => e.objectRef?.name === 'stamped' && e.stage === 'ResponseComplete'),
  );
  const a = ev.annotations ?? {};
  assert.deepEqual(JSON.parse(a['mutation.webhook.admission.k8s.io/round_0_index_0'] ?? '{}'), {
    configuration: 'a-stamp',
    webhook: 'stamp.example.com',
    mutated: true,
  });
  assert.deepEqual(JSON.parse(a['patch.webhook.admission.k8s.io/round_0_index_0'] ?? '{}'), {
    configuration: 'a-stamp',
    webhook: 'stamp.example.com',
    patch: [{ op: 'add', path: '/metadata/labels/stamped', value: 'yes' }],
    patchType: 'JSONPatch',
  });
  assert.deepEqual(JSON.parse(a['mutation.webhook.admission.k8s.io/round_0_index_1'] ?? '{}'), {
    configuration: 'a-stamp',
    webhook: 'noop.example.com',
    mutated: false,
  });
  assert.equal(a['patch.webhook.admission.k8s.io/round_0_index_1'], undefined);
  assert.equal(a['failed-open.mutation.webhook.admission.k8s.io/round_0_index_2'], 'down.example.com');
  assert.deepEqual(JSON.parse(a['mutation.webhook.admission.k8s.io/round_0_index_2'] ?? '{}'), {
    configuration: 'a-stamp',
    webhook: 'down.example.com',
    mutated: false,
  });
});
