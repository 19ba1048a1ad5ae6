/**
 * Pod Security Admission through the API: namespace labels checked, pods refused at the enforce level with
 * upstream's message, warnings at the warn level (for workloads' pod templates too), pod updates that change
 * nothing the policy looks at let through, and raising a namespace's enforce level warns about its pods.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { serverForTests } from '../helpers/api-server.js';
import { call, type HttpResult } from '../helpers/http.js';

const api = serverForTests();

const PLAIN_RESTRICTED_DETAIL =
  'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

function send(method: string, path: string, body?: unknown, contentType?: string): Promise<HttpResult> {
  return call(api.server.url, method, path, body, contentType ? { 'content-type': contentType } : {});
}

async function namespace(name: string, labels: Record<string, string>): Promise<void> {
  const r = await send('POST', '/api/v1/namespaces', { metadata: { name, labels } });
  assert.equal(r.status, 201, r.text);
}

function pod(name: string, spec: Partial<Pod['spec']> = {}, container: Record<string, unknown> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'busybox', ...container }], ...spec },
  };
}

const restrictedContainer = {
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

/** The texts of the response's Warning headers. */
function warnings(r: HttpResult): string[] {
  const raw = r.headers.warning;
  const text = Array.isArray(raw) ? raw.join(', ') : (raw ?? '');
  return [...String(text).matchAll(/299 - "((?:[^"\\]|\\.)*)"/g)].map(
    (m) => JSON.parse(`"${m[1]}"`) as string,
  );
}

test('labels that do not parse are refused with upstream’s field errors; valid ones pass', async () => {
  const bad = await send('POST', '/api/v1/namespaces', {
    metadata: {
      name: 'psa-bad',
      labels: {
        'pod-security.kubernetes.io/enforce': 'strict',
        'pod-security.kubernetes.io/warn-version': '1.25',
      },
    },
  });
  assert.equal(bad.status, 422, bad.text);
  assert.equal(
    bad.json.message,
    'Namespace "psa-bad" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": ' +
      'must be one of privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/warn-version]: ' +
      'Invalid value: "1.25": must be "latest" or "v1.x"]',
  );
  await namespace('psa-ok', {
    'pod-security.kubernetes.io/enforce': 'baseline',
    'pod-security.kubernetes.io/enforce-version': 'v1.30',
  });
});

test('enforce refuses pods that violate the level with upstream’s 403; compliant pods are created', async () => {
  await namespace('psa-restricted', { 'pod-security.kubernetes.io/enforce': 'restricted' });
  const refused = await send('POST', '/api/v1/namespaces/psa-restricted/pods', pod('plain'));
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json.reason, 'Forbidden');
  assert.equal(
    refused.json.message,
    `pods "plain" is forbidden: violates PodSecurity "restricted:latest": ${PLAIN_RESTRICTED_DETAIL}`,
  );
  assert.deepEqual(refused.json.details, { name: 'plain', kind: 'pods' });
  const allowed = await send(
    'POST',
    '/api/v1/namespaces/psa-restricted/pods',
    pod('locked', {}, restrictedContainer),
  );
  assert.equal(allowed.status, 201, allowed.text);
  assert.deepEqual(warnings(allowed), []);

  await namespace('psa-baseline', { 'pod-security.kubernetes.io/enforce': 'baseline' });
  const host = await send(
    'POST',
    '/api/v1/namespaces/psa-baseline/pods',
    pod('host', { hostNetwork: true }, { securityContext: { privileged: true } }),
  );
  assert.equal(host.status, 403, host.text);
  assert.equal(
    host.json.message,
    'pods "host" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), ' +
      'privileged (container "app" must not set securityContext.privileged=true)',
  );
  // Baseline lets a plain pod run; a dry run is checked as well.
  assert.equal((await send('POST', '/api/v1/namespaces/psa-baseline/pods', pod('plain'))).status, 201);
  const dry = await send(
    'POST',
    '/api/v1/namespaces/psa-baseline/pods?dryRun=All',
    pod('host-dry', { hostPID: true }),
  );
  assert.equal(dry.status, 403, dry.text);
});

test('warn adds upstream’s warning to pods and to workloads’ pod templates, and refuses nothing', async () => {
  await namespace('psa-warn', {
    'pod-security.kubernetes.io/enforce': 'baseline',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': 'latest',
  });
  const created = await send('POST', '/api/v1/namespaces/psa-warn/pods', pod('plain'));
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(warnings(created), [
    `would violate PodSecurity "restricted:latest": ${PLAIN_RESTRICTED_DETAIL}`,
  ]);

  const deployment = await send('POST', '/apis/apps/v1/namespaces/psa-warn/deployments', {
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: pod('x').spec },
    },
  });
  assert.equal(deployment.status, 201, deployment.text);
  assert.deepEqual(warnings(deployment), [
    `would violate PodSecurity "restricted:latest": ${PLAIN_RESTRICTED_DETAIL}`,
  ]);
  // A workload's template is never refused: its pods are, when they are created.
  await namespace('psa-enforce-only', { 'pod-security.kubernetes.io/enforce': 'restricted' });
  const job = await send('POST', '/apis/batch/v1/namespaces/psa-enforce-only/jobs', {
    metadata: { name: 'once' },
    spec: { template: { spec: { ...pod('x').spec, restartPolicy: 'Never' } } },
  });
  assert.equal(job.status, 201, job.text);
  assert.deepEqual(warnings(job), []);
});

test('raising the enforce level warns about existing pods; their unrelated updates still pass', async () => {
  await namespace('psa-later', {});
  for (const name of ['b-plain', 'a-plain', 'c-plain']) {
    assert.equal((await send('POST', '/api/v1/namespaces/psa-later/pods', pod(name))).status, 201);
  }
  assert.equal(
    (await send('POST', '/api/v1/namespaces/psa-later/pods', pod('host', { hostIPC: true }))).status,
    201,
  );
  assert.equal(
    (await send('POST', '/api/v1/namespaces/psa-later/pods', pod('fine', {}, restrictedContainer))).status,
    201,
  );
  const labelled = await send(
    'PATCH',
    '/api/v1/namespaces/psa-later',
    { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    'application/merge-patch+json',
  );
  assert.equal(labelled.status, 200, labelled.text);
  assert.deepEqual(warnings(labelled), [
    'existing pods in namespace "psa-later" violate the new PodSecurity enforce level "restricted:latest"',
    'a-plain (and 2 other pods): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
    'host: host namespaces, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
  ]);
  // Relaxing it warns about nothing.
  const relaxed = await send(
    'PATCH',
    '/api/v1/namespaces/psa-later',
    { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
    'application/merge-patch+json',
  );
  assert.deepEqual(warnings(relaxed), []);
  await send(
    'PATCH',
    '/api/v1/namespaces/psa-later',
    { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    'application/merge-patch+json',
  );

  // A label change does not touch what the policy checks; a new image does.
  const relabel = await send(
    'PATCH',
    '/api/v1/namespaces/psa-later/pods/a-plain',
    { metadata: { labels: { tier: 'x' } } },
    'application/merge-patch+json',
  );
  assert.equal(relabel.status, 200, relabel.text);
  const reimage = await send(
    'PATCH',
    '/api/v1/namespaces/psa-later/pods/a-plain',
    { spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } },
    'application/strategic-merge-patch+json',
  );
  assert.equal(reimage.status, 403, reimage.text);
  assert.match(
    reimage.json.message,
    /^pods "a-plain" is forbidden: violates PodSecurity "restricted:latest": /,
  );
});

test('namespaces without Pod Security labels are privileged: nothing is checked', async () => {
  const r = await send(
    'POST',
    '/api/v1/namespaces/default/pods',
    pod('anything-goes', { hostNetwork: true, hostPID: true }, { securityContext: { privileged: true } }),
  );
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(warnings(r), []);
});
