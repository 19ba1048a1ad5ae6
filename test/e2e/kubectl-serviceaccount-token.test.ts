import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { legacyClaims } from '../../src/api/serviceaccount/claims.js';
import { TokenSigner } from '../../src/api/serviceaccount/jwt.js';
import { waitFor } from '../../src/util/wait.js';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
let s: ServerProcess;
let tokenKubeconfig: string;

before(async () => {
  s = await startServerProcess({ datastoreEndpoint: 'memory://' });
  // A kubeconfig with the cluster only: with the admin's client certificate kubectl would be admin, whatever --token.
  tokenKubeconfig = join(s.cacheDir, 'token-kubeconfig');
  const ca = readFileSync(join(s.dataDir, 'server', 'tls', 'server-ca.crt')).toString('base64');
  writeFileSync(
    tokenKubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ${s.server}
    certificate-authority-data: ${ca}
contexts:
- name: c
  context: {cluster: c, user: u, namespace: default}
current-context: c
users:
- name: u
  user: {}
`,
  );
  await waitFor(async () => (await s.kubectl(['get', 'serviceaccount', 'default'])).code === 0, {
    message: 'default service account',
  });
});
after(async () => {
  await s?.stop();
});

const ok = async (...args: string[]): Promise<string> =>
  expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;

/** `kubectl auth whoami` as the bearer of `token` (and nothing else). */
const whoami = (token: string) =>
  s.kubectl(['--kubeconfig', tokenKubeconfig, '--token', token, 'auth', 'whoami', '-o', 'json']);

function payload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

test('kubectl create token default, then kubectl --token auth whoami is the service account', async () => {
  const token = (await ok('create', 'token', 'default')).trim();
  const claims = payload(token);
  assert.equal(claims.iss, ISSUER);
  assert.deepEqual(claims.aud, [ISSUER]);
  assert.equal(Number(claims.exp) - Number(claims.iat), 3600);
  const me = expectOk(await whoami(token), 'whoami');
  const info = (JSON.parse(me.stdout) as { status: { userInfo: Record<string, unknown> } }).status.userInfo;
  assert.equal(info.username, 'system:serviceaccount:default:default');
  assert.deepEqual(info.groups, [
    'system:serviceaccounts',
    'system:serviceaccounts:default',
    'system:authenticated',
  ]);
  const sa = JSON.parse(await ok('get', 'sa', 'default', '-o', 'json')) as { metadata: { uid: string } };
  assert.equal(info.uid, sa.metadata.uid);
  const table = expectOk(
    await s.kubectl(['--kubeconfig', tokenKubeconfig, '--token', token, 'auth', 'whoami']),
    'whoami',
  );
  assert.match(table.stdout, /Username\s+system:serviceaccount:default:default/);
});

test('--duration, --audience and the 10 minute minimum', async () => {
  const token = (
    await ok('create', 'token', 'default', '--duration=2h', '--audience=vault', '--audience=api')
  ).trim();
  const claims = payload(token);
  assert.deepEqual(claims.aud, ['vault', 'api']);
  assert.equal(Number(claims.exp) - Number(claims.iat), 7200);
  assert.notEqual((await whoami(token)).code, 0, 'not for the API audience');
  const short = await s.kubectl(['create', 'token', 'default', '--duration=5m']);
  assert.notEqual(short.code, 0);
  assert.match(short.stderr, /may not specify a duration less than 10 minutes/);
  const missing = await s.kubectl(['create', 'token', 'ghost']);
  assert.match(missing.stderr, /serviceaccounts "ghost" not found/);
});

test('a pod-bound token works until the pod is deleted', async () => {
  await ok('run', 'bound', '--image=busybox', '--restart=Never');
  const pod = JSON.parse(await ok('get', 'pod', 'bound', '-o', 'json')) as {
    metadata: { uid: string };
    spec: { serviceAccountName: string; volumes: { name: string }[] };
  };
  assert.equal(pod.spec.serviceAccountName, 'default');
  assert.ok(pod.spec.volumes.some((v) => v.name.startsWith('kube-api-access-')));
  const token = (
    await ok('create', 'token', 'default', '--bound-object-kind=Pod', '--bound-object-name=bound')
  ).trim();
  const k = payload(token)['kubernetes.io'] as { pod: { name: string; uid: string } };
  assert.deepEqual(k.pod, { name: 'bound', uid: pod.metadata.uid });
  const me = expectOk(await whoami(token), 'whoami');
  const extra = (JSON.parse(me.stdout) as { status: { userInfo: { extra: Record<string, string[]> } } })
    .status.userInfo.extra;
  assert.deepEqual(extra['authentication.kubernetes.io/pod-name'], ['bound']);
  await ok('delete', 'pod', 'bound', '--grace-period=0', '--force');
  // Verifications are cached for a few seconds, as upstream caches token results.
  await waitFor(async () => (await whoami(token)).code !== 0, {
    timeoutMs: 15_000,
    message: 'token refused',
  });
  const refused = await whoami(token);
  assert.match(refused.stderr, /Unauthorized|provide credentials/i);
});

test('an expired token is refused', async () => {
  const key = readFileSync(join(s.dataDir, 'server', 'tls', 'service.key'), 'utf8');
  const sa = JSON.parse(await ok('get', 'sa', 'default', '-o', 'json')) as { metadata: { uid: string } };
  const now = Math.floor(Date.now() / 1000);
  const signer = new TokenSigner(key);
  const claims = {
    iss: ISSUER,
    sub: 'system:serviceaccount:default:default',
    aud: [ISSUER],
    iat: now - 7200,
    nbf: now - 7200,
    exp: now - 3600,
    jti: 'expired',
    'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'default', uid: sa.metadata.uid } },
  };
  const expired = await signer.sign(claims);
  const r = await whoami(expired);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Unauthorized|provide credentials/i);
  const valid = await signer.sign({ ...claims, exp: now + 3600, jti: 'valid' });
  expectOk(await whoami(valid), 'the same claims, not expired');
  // A legacy token not held by any secret is refused too.
  const legacy = await signer.sign(
    legacyClaims({ namespace: 'default', name: 'default', uid: sa.metadata.uid }, 'x'),
  );
  assert.notEqual((await whoami(legacy)).code, 0);
});

// With kubectl's default validation: for review kinds it falls back to listing CRDs.
test('TokenReview through kubectl create -f', async () => {
  const token = (await ok('create', 'token', 'default')).trim();
  const file = join(s.cacheDir, 'review.yaml');
  writeFileSync(file, `apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: ${token}\n`);
  const out = JSON.parse(await ok('create', '-f', file, '-o', 'json')) as {
    status: { authenticated: boolean; user: { username: string }; audiences: string[] };
  };
  assert.equal(out.status.authenticated, true);
  assert.equal(out.status.user.username, 'system:serviceaccount:default:default');
  assert.deepEqual(out.status.audiences, [ISSUER]);
  writeFileSync(file, `apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: ${token}x\n`);
  const bad = JSON.parse(await ok('create', '-f', file, '-o', 'json')) as {
    status: { authenticated?: boolean };
  };
  assert.notEqual(bad.status.authenticated, true);
});

test('a legacy service-account-token Secret gets a token kubectl can use', async () => {
  const file = join(s.cacheDir, 'legacy.yaml');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Secret
metadata:
  name: default-token
  annotations:
    kubernetes.io/service-account.name: default
type: kubernetes.io/service-account-token
`,
  );
  await ok('apply', '-f', file);
  const encoded = await waitFor(async () => {
    const r = await s.kubectl(['get', 'secret', 'default-token', '-o', 'jsonpath={.data.token}']);
    return r.code === 0 && r.stdout ? r.stdout : undefined;
  });
  const token = Buffer.from(encoded, 'base64').toString();
  const me = expectOk(await whoami(token), 'whoami with the legacy token');
  assert.match(me.stdout, /system:serviceaccount:default:default/);
  const ns = await ok('get', 'secret', 'default-token', '-o', 'jsonpath={.data.namespace}');
  assert.equal(Buffer.from(ns, 'base64').toString(), 'default');
  const ca = await ok('get', 'secret', 'default-token', '-o', 'jsonpath={.data.ca\\.crt}');
  assert.equal(
    Buffer.from(ca, 'base64').toString(),
    readFileSync(join(s.dataDir, 'server', 'tls', 'server-ca.crt'), 'utf8'),
  );
});
