/**
 * Auditing through the API: each request's events at the stages and level its policy rule gives, with
 * upstream's fields (objectRef completed from the body, request and response objects by level, statuses,
 * authorization and Pod Security annotations, impersonation, failed authentication, long-running watches),
 * and the Audit-Id header on every answer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { unauthorized } from '../../src/api/errors.js';
import { Auditor } from '../../src/apiserver/audit/auditor.js';
import { eventJson, type AuditEvent } from '../../src/apiserver/audit/event.js';
import { parseAuditPolicy } from '../../src/apiserver/audit/policy.js';
import type { Authenticator, UserInfo } from '../../src/apiserver/config.js';
import { serverForTests } from '../helpers/api-server.js';
import { call, type HttpResult } from '../helpers/http.js';

const USERS: Record<string, UserInfo> = {
  admin: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
  alice: { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'] },
};

/** Bearer tokens name the users above; an unknown token is refused, none is anonymous (401 here). */
const authenticator: Authenticator = {
  authenticate(req) {
    const token = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (token === undefined) return undefined;
    const user = USERS[token];
    if (!user) throw unauthorized();
    return user;
  },
};

const POLICY = `
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ["/healthz*"]
  - level: RequestResponse
    resources: [{ group: "", resources: ["configmaps"] }]
    omitManagedFields: true
  - level: Request
    resources: [{ group: "", resources: ["pods"] }]
    omitStages: [RequestReceived]
  - level: RequestResponse
    resources: [{ group: "", resources: ["serviceaccounts"] }]
  - level: Metadata
`;

/** The events as they would be written: each parsed back from its JSON line. */
const events: AuditEvent[] = [];
const api = serverForTests({
  authenticator,
  audit: new Auditor(parseAuditPolicy(POLICY), {
    write: (ev) => events.push(JSON.parse(eventJson(ev)) as AuditEvent),
  }),
});

function send(
  user: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return call(api.server.url, method, path, body, {
    ...(user ? { authorization: `Bearer ${user}` } : {}),
    'user-agent': 'audit-test/1.0',
    ...headers,
  });
}

/** The events of one request, by the Audit-Id its answer carried (completion is logged as the answer ends). */
async function eventsOf(r: HttpResult): Promise<AuditEvent[]> {
  const id = String(r.headers['audit-id']);
  assert.match(id, /^[0-9a-f-]{36}$|^client-/);
  for (let i = 0; i < 100; i++) {
    const mine = events.filter((e) => e.auditID === id);
    if (mine.some((e) => e.stage === 'ResponseComplete')) return mine;
    await sleep(10);
  }
  return events.filter((e) => e.auditID === id);
}

test('a create at RequestResponse: both stages, objectRef from the body, objects without managedFields', async () => {
  const r = await send('admin', 'POST', '/api/v1/namespaces/default/configmaps', {
    metadata: { name: 'cm1' },
    data: { a: '1' },
  });
  assert.equal(r.status, 201, r.text);
  const [received, complete, ...rest] = await eventsOf(r);
  assert.equal(rest.length, 0);
  assert.equal(received!.stage, 'RequestReceived');
  assert.deepEqual(Object.keys(received!), [
    'kind',
    'apiVersion',
    'level',
    'auditID',
    'stage',
    'requestURI',
    'verb',
    'user',
    'sourceIPs',
    'userAgent',
    'objectRef',
    'requestReceivedTimestamp',
    'stageTimestamp',
  ]);
  assert.equal(received!.stageTimestamp, received!.requestReceivedTimestamp);
  assert.match(received!.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.deepEqual(received!.objectRef, { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' });

  assert.equal(complete!.stage, 'ResponseComplete');
  assert.equal(complete!.level, 'RequestResponse');
  assert.equal(complete!.verb, 'create');
  assert.equal(complete!.requestURI, '/api/v1/namespaces/default/configmaps');
  assert.deepEqual(complete!.user, USERS.admin);
  assert.deepEqual(complete!.sourceIPs, ['127.0.0.1']);
  assert.equal(complete!.userAgent, 'audit-test/1.0');
  assert.deepEqual(complete!.objectRef, {
    resource: 'configmaps',
    namespace: 'default',
    name: 'cm1',
    apiVersion: 'v1',
  });
  assert.deepEqual(complete!.responseStatus, { metadata: {}, code: 201 });
  assert.deepEqual(complete!.requestObject, { metadata: { name: 'cm1' }, data: { a: '1' } });
  const created = complete!.responseObject as { metadata: Record<string, unknown>; data: unknown };
  assert.equal(created.metadata.name, 'cm1');
  assert.equal(typeof created.metadata.uid, 'string');
  assert.equal('managedFields' in created.metadata, false, 'omitManagedFields');
  assert.deepEqual(complete!.annotations, {
    'authorization.k8s.io/decision': 'allow',
    'authorization.k8s.io/reason': '',
  });
  assert.ok(complete!.stageTimestamp >= complete!.requestReceivedTimestamp);
});

test('errors carry their Status fields; a client’s Audit-ID is kept', async () => {
  const r = await send('admin', 'GET', '/api/v1/namespaces/default/configmaps/nope', undefined, {
    'Audit-ID': 'client-chosen-id',
  });
  assert.equal(r.status, 404);
  assert.equal(r.headers['audit-id'], 'client-chosen-id');
  const complete = (await eventsOf(r)).find((e) => e.stage === 'ResponseComplete')!;
  assert.deepEqual(complete.responseStatus, {
    metadata: {},
    status: 'Failure',
    message: 'configmaps "nope" not found',
    reason: 'NotFound',
    details: { name: 'nope', kind: 'configmaps' },
    code: 404,
  });
  assert.equal(complete.verb, 'get');
  assert.equal(complete.objectRef?.name, 'nope');
});

test('a rule’s omitStages drop RequestReceived; Request level logs the request but not the response', async () => {
  const r = await send('admin', 'POST', '/api/v1/namespaces/default/pods', {
    metadata: { name: 'p1' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  assert.equal(r.status, 201, r.text);
  const evs = await eventsOf(r);
  assert.deepEqual(
    evs.map((e) => e.stage),
    ['ResponseComplete'],
  );
  const [ev] = evs;
  assert.equal(ev!.level, 'Request');
  assert.equal((ev!.requestObject as { metadata: { name: string } }).metadata.name, 'p1');
  assert.equal(ev!.responseObject, undefined);
  // PSA's annotation for a namespace with no labels.
  assert.equal(ev!.annotations?.['pod-security.kubernetes.io/enforce-policy'], 'privileged:latest');

  const patch = await send(
    'admin',
    'PATCH',
    '/api/v1/namespaces/default/pods/p1',
    { metadata: { labels: { x: 'y' } } },
    { 'content-type': 'application/merge-patch+json' },
  );
  assert.equal(patch.status, 200, patch.text);
  const patched = (await eventsOf(patch))[0]!;
  assert.equal(patched.verb, 'patch');
  assert.deepEqual(patched.requestObject, { metadata: { labels: { x: 'y' } } });
});

test('Metadata level: no objects; a forbidden request is annotated with the decision', async () => {
  const r = await send('alice', 'GET', '/api/v1/namespaces/default/secrets');
  assert.equal(r.status, 403);
  const complete = (await eventsOf(r)).find((e) => e.stage === 'ResponseComplete')!;
  assert.equal(complete.level, 'Metadata');
  assert.equal(complete.verb, 'list');
  assert.deepEqual(complete.user, USERS.alice);
  assert.equal(complete.responseStatus?.code, 403);
  assert.equal(complete.responseStatus?.reason, 'Forbidden');
  assert.equal(complete.responseObject, undefined);
  assert.equal(complete.annotations?.['authorization.k8s.io/decision'], 'forbid');
  assert.equal(complete.annotations?.['authorization.k8s.io/reason'], '');
});

test('impersonation: the event’s user is the caller, impersonatedUser the one acted as', async () => {
  const r = await send('admin', 'GET', '/api/v1/namespaces', undefined, {
    'Impersonate-User': 'bob',
    'Impersonate-Group': 'team',
  });
  assert.equal(r.status, 403);
  const complete = (await eventsOf(r)).find((e) => e.stage === 'ResponseComplete')!;
  assert.equal(complete.user.username, 'admin');
  assert.deepEqual(complete.impersonatedUser, { username: 'bob', groups: ['team', 'system:authenticated'] });
});

test('failed authentication: no user, upstream’s message, 401', async () => {
  const r = await send('mallory', 'GET', '/api/v1/namespaces/default/pods');
  assert.equal(r.status, 401);
  const evs = await eventsOf(r);
  assert.deepEqual(
    evs.map((e) => e.stage),
    ['ResponseComplete'],
  );
  assert.deepEqual(evs[0]!.user, {});
  assert.deepEqual(evs[0]!.responseStatus, {
    metadata: {},
    message: 'Authentication failed, attempted: bearer',
    code: 401,
  });
  const none = await send(undefined, 'GET', '/api');
  const noneEv = (await eventsOf(none)).find((e) => e.stage === 'ResponseComplete')!;
  assert.equal(noneEv.responseStatus?.message, 'Authentication failed, no credentials provided');
  assert.equal(noneEv.verb, 'get');
  assert.equal(noneEv.objectRef, undefined);
});

test('public paths: /healthz matched by a None rule, /version logged', async () => {
  const before = events.length;
  const health = await send(undefined, 'GET', '/healthz');
  assert.equal(health.status, 200);
  assert.match(String(health.headers['audit-id']), /^[0-9a-f-]{36}$/);
  // Wrong credentials on a public path fail as anywhere (upstream authenticates before anonymous access).
  const wrong = await send('mallory', 'GET', '/version');
  assert.equal(wrong.status, 401);
  const wrongEv = (await eventsOf(wrong)).find((e) => e.stage === 'ResponseComplete')!;
  assert.equal(wrongEv.user.username, undefined);
  assert.equal(wrongEv.responseStatus?.message, 'Authentication failed, attempted: bearer');
  assert.equal((await send('admin', 'GET', '/version')).status, 200, 'good credentials are fine');
  const version = await send(undefined, 'GET', '/version');
  const ev = (await eventsOf(version)).find((e) => e.stage === 'ResponseComplete')!;
  assert.deepEqual(ev.user, { username: 'system:anonymous', groups: ['system:unauthenticated'] });
  assert.deepEqual(ev.responseStatus, { metadata: {}, code: 200 });
  assert.equal(ev.responseObject, undefined, 'non-resource answers are not logged');
  assert.equal(
    events.slice(before).filter((e) => e.auditID === health.headers['audit-id']).length,
    0,
    'nothing for /healthz',
  );
});

test('a watch is long-running: ResponseStarted when it begins, ResponseComplete when it ends', async () => {
  const controller = new AbortController();
  const res = await fetch(`${api.server.url}/api/v1/namespaces/default/configmaps?watch=true`, {
    headers: { authorization: 'Bearer admin' },
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  const id = res.headers.get('audit-id')!;
  const stages = (): string[] => events.filter((e) => e.auditID === id).map((e) => e.stage);
  for (let i = 0; i < 100 && stages().length < 2; i++) await sleep(10);
  assert.deepEqual(stages(), ['RequestReceived', 'ResponseStarted']);
  const started = events.find((e) => e.auditID === id && e.stage === 'ResponseStarted')!;
  assert.equal(started.verb, 'watch');
  assert.deepEqual(started.responseStatus, { metadata: {}, code: 200 });
  controller.abort();
  for (let i = 0; i < 200 && stages().length < 3; i++) await sleep(10);
  assert.deepEqual(stages(), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
  const complete = events.find((e) => e.auditID === id && e.stage === 'ResponseComplete')!;
  assert.equal(complete.responseObject, undefined);
});

test('Pod Security audit mode: violations of the audit level annotate the event', async () => {
  const ns = await send('admin', 'POST', '/api/v1/namespaces', {
    metadata: {
      name: 'audited',
      labels: {
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/enforce': 'baseline',
      },
    },
  });
  assert.equal(ns.status, 201, ns.text);
  const r = await send('admin', 'POST', '/api/v1/namespaces/audited/pods', {
    metadata: { name: 'plain' },
    spec: { containers: [{ name: 'app', image: 'busybox' }] },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.warning, undefined, 'audit mode warns nobody');
  const ev = (await eventsOf(r))[0]!;
  assert.equal(ev.annotations?.['pod-security.kubernetes.io/enforce-policy'], 'baseline:latest');
  assert.equal(
    ev.annotations?.['pod-security.kubernetes.io/audit-violations'],
    'would violate PodSecurity "restricted:latest": ' +
      'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
      'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
      'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ' +
      'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
  // A Deployment's template is audited too (the Metadata rule), never refused.
  const dep = await send('admin', 'POST', '/apis/apps/v1/namespaces/audited/deployments', {
    metadata: { name: 'd' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: {
        metadata: { labels: { app: 'd' } },
        spec: { containers: [{ name: 'app', image: 'busybox' }] },
      },
    },
  });
  assert.equal(dep.status, 201, dep.text);
  const depEv = (await eventsOf(dep)).find((e) => e.stage === 'ResponseComplete')!;
  assert.match(
    depEv.annotations?.['pod-security.kubernetes.io/audit-violations'] ?? '',
    /^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation/,
  );
  assert.equal(depEv.annotations?.['pod-security.kubernetes.io/enforce-policy'], undefined);
});

test('an upgrade request (exec) is audited; its refusal is its response status', async () => {
  const { WebSocket } = await import('ws');
  const url = `${api.server.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/absent/exec?command=true`;
  const ws = new WebSocket(url, ['v5.channel.k8s.io'], { headers: { authorization: 'Bearer admin' } });
  const code = await new Promise<number>((resolve) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
  assert.equal(code, 404);
  let evs: AuditEvent[] = [];
  for (let i = 0; i < 100; i++) {
    evs = events.filter((e) => e.requestURI.startsWith('/api/v1/namespaces/default/pods/absent/exec'));
    if (evs.some((e) => e.stage === 'ResponseComplete')) break;
    await sleep(10);
  }
  // Long-running: the refusal's header is its answer's start, as upstream logs it.
  assert.deepEqual(
    evs.map((e) => e.stage),
    ['RequestReceived', 'ResponseStarted', 'ResponseComplete'],
  );
  const complete = evs[2]!;
  assert.equal(complete.verb, 'get');
  assert.deepEqual(complete.objectRef, {
    resource: 'pods',
    namespace: 'default',
    name: 'absent',
    apiVersion: 'v1',
    subresource: 'exec',
  });
  assert.equal(complete.responseStatus?.code, 404);
  assert.equal(complete.responseStatus?.reason, 'NotFound');
  assert.equal(complete.annotations?.['authorization.k8s.io/decision'], 'allow');
});

test('admission policies: the Audit action and auditAnnotations annotate the event', async () => {
  const policy = await send(
    'admin',
    'POST',
    '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies',
    {
      metadata: { name: 'small-configs' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] },
          ],
        },
        validations: [
          { expression: 'true' },
          { expression: '!has(object.data) || size(object.data) < 2', message: 'too many keys' },
        ],
        auditAnnotations: [
          { key: 'keys', valueExpression: "has(object.data) ? string(size(object.data)) : ''" },
          { key: 'never', valueExpression: 'null' },
        ],
      },
    },
  );
  assert.equal(policy.status, 201, policy.text);
  const binding = await send(
    'admin',
    'POST',
    '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
    {
      metadata: { name: 'small-configs-audit' },
      spec: { policyName: 'small-configs', validationActions: ['Audit'] },
    },
  );
  assert.equal(binding.status, 201, binding.text);
  // The binding reaches the plugin through the watch: retry until the annotation shows.
  let ev: AuditEvent | undefined;
  for (let i = 0; i < 50 && !ev?.annotations?.['small-configs/keys']; i++) {
    const r = await send('admin', 'POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: `wide-${i}` },
      data: { a: '1', b: '2', c: '3' },
    });
    assert.equal(r.status, 201, 'Audit never refuses');
    ev = (await eventsOf(r)).find((e) => e.stage === 'ResponseComplete');
    if (!ev?.annotations?.['small-configs/keys']) await sleep(50);
  }
  assert.equal(ev?.annotations?.['small-configs/keys'], '3');
  assert.equal(ev?.annotations?.['small-configs/never'], undefined);
  assert.deepEqual(
    JSON.parse(ev?.annotations?.['validation.policy.admission.k8s.io/validation_failure'] ?? '[]'),
    [
      {
        message: 'too many keys',
        policy: 'small-configs',
        binding: 'small-configs-audit',
        expressionIndex: 1,
        validationActions: ['Audit'],
      },
    ],
  );
});

test('a request to a deprecated version is annotated with the release that removed it', async () => {
  const r = await send('admin', 'GET', '/apis/extensions/v1beta1/namespaces/default/deployments');
  assert.equal(r.status, 200, r.text);
  const ev = (await eventsOf(r)).find((e) => e.stage === 'ResponseComplete')!;
  assert.equal(ev.annotations?.['k8s.io/deprecated'], 'true');
  assert.equal(ev.annotations?.['k8s.io/removed-release'], '1.16');
  assert.equal(ev.objectRef?.apiGroup, 'extensions');
  assert.equal(ev.objectRef?.apiVersion, 'v1beta1');
});

test('without auditing every answer still carries an Audit-Id (the client’s own kept)', async () => {
  const { startTestServer } = await import('../helpers/api-server.js');
  const plain = await startTestServer();
  try {
    const ids = new Set<string>();
    for (const path of ['/healthz', '/version', '/api/v1/namespaces/default/configmaps', '/api/v1/nope']) {
      const r = await call(plain.url, 'GET', path);
      assert.match(String(r.headers['audit-id']), /^[0-9a-f-]{36}$/, path);
      ids.add(String(r.headers['audit-id']));
    }
    assert.equal(ids.size, 4);
    const own = await call(plain.url, 'GET', '/api', undefined, { 'Audit-ID': 'mine' });
    assert.equal(own.headers['audit-id'], 'mine');
  } finally {
    await plain.close();
  }
});

test('RequestResponse: a read’s answer is logged as it went out', async () => {
  const created = await send('admin', 'POST', '/api/v1/namespaces/default/serviceaccounts', {
    metadata: { name: 'robot' },
  });
  assert.equal(created.status, 201, created.text);
  const r = await send('admin', 'GET', '/api/v1/namespaces/default/serviceaccounts/robot');
  assert.equal(r.status, 200);
  const ev = (await eventsOf(r)).find((e) => e.stage === 'ResponseComplete')!;
  assert.deepEqual(ev.responseObject, r.json);
  const list = await send('admin', 'GET', '/api/v1/namespaces/default/serviceaccounts');
  const listEv = (await eventsOf(list)).find((e) => e.stage === 'ResponseComplete')!;
  assert.deepEqual(listEv.responseObject, list.json);
});
