import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Node, Pod, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { createAuthenticator } from '../../src/apiserver/auth/authenticator.js';
import { hasReason } from '../../src/api/errors.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { serviceAccountController } from '../../src/controllers/serviceaccount/index.js';
import { serviceAccountTokenController } from '../../src/controllers/serviceaccounttoken/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { waitUntilGone } from '../helpers/gone.js';

const ADMIN_TOKEN = `admin-${process.pid}`;
const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const CA = '-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  cluster = await startTestCluster(
    { serviceaccount: serviceAccountController, 'serviceaccount-token': serviceAccountTokenController },
    {
      server: {
        authenticator: createAuthenticator({
          tokens: [{ token: ADMIN_TOKEN, username: 'admin', uid: 'admin', groups: ['system:masters'] }],
        }),
        serviceAccount: { signingKeyPem },
      },
      token: ADMIN_TOKEN,
      options: { serviceAccountKeyPem: signingKeyPem, rootCaPem: CA },
    },
  );
  client = cluster.client;
  await waitFor(() => accounts().get('default', 'default'), { message: 'default account' });
});
after(() => cluster.close());

const accounts = () => client.resource<ServiceAccount>(R.serviceAccounts);
const pods = () => client.resource<Pod>(R.pods);

interface TokenRequestAnswer {
  spec: { audiences: string[]; expirationSeconds: number };
  status: { token: string; expirationTimestamp: string };
}

function requestToken(
  sa: string,
  spec: Record<string, unknown> = {},
  ns = 'default',
): Promise<TokenRequestAnswer> {
  return accounts().createSubresource<TokenRequestAnswer>(ns, sa, 'token', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec,
  });
}

/** SelfSubjectReview with a bearer token: the user, or the HTTP status when refused. */
async function whoami(token: string): Promise<{ status: number; user?: Record<string, unknown> }> {
  const res = await fetch(`${cluster.server.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  const body = (await res.json()) as { status?: { userInfo?: Record<string, unknown> } };
  return res.status === 201 ? { status: 201, user: body.status?.userInfo ?? {} } : { status: res.status };
}

function simplePod(name: string, extra: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra },
  };
}

test('pods get the kube-api-access projected volume mounted in every container', async () => {
  const pod = await pods().create(
    simplePod('sa-inject', {
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [
        { name: 'a', image: 'busybox' },
        {
          name: 'b',
          image: 'busybox',
          volumeMounts: [{ name: 'own', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
        },
      ],
      volumes: [{ name: 'own', emptyDir: {} }],
    }),
  );
  assert.equal(pod.spec?.serviceAccountName, 'default');
  assert.equal(pod.spec?.serviceAccount, 'default');
  const vol = pod.spec?.volumes?.find((v) => v.name.startsWith('kube-api-access-'));
  assert.ok(vol, 'token volume added');
  assert.match(vol.name, /^kube-api-access-[a-z0-9]{5}$/);
  assert.deepEqual(vol.projected, {
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
        },
      },
    ],
    defaultMode: 420,
  });
  const mount = {
    name: vol.name,
    readOnly: true,
    mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
  };
  assert.deepEqual(pod.spec?.initContainers?.[0]?.volumeMounts, [mount]);
  assert.deepEqual(pod.spec?.containers[0]?.volumeMounts, [mount]);
  assert.deepEqual(pod.spec?.containers[1]?.volumeMounts?.length, 1, 'an existing mount at the path wins');
});

test('automountServiceAccountToken false on the pod or the account skips the volume', async () => {
  const a = await pods().create(simplePod('sa-no-mount', { automountServiceAccountToken: false }));
  assert.equal(a.spec?.volumes, undefined);
  await accounts().create({
    metadata: { name: 'quiet', namespace: 'default' },
    automountServiceAccountToken: false,
    imagePullSecrets: [{ name: 'regcred' }],
  });
  const b = await pods().create(simplePod('sa-quiet', { serviceAccountName: 'quiet' }));
  assert.equal(b.spec?.volumes, undefined);
  assert.deepEqual(b.spec?.imagePullSecrets, [{ name: 'regcred' }], 'pull secrets come from the account');
  const c = await pods().create(
    simplePod('sa-quiet-override', { serviceAccountName: 'quiet', automountServiceAccountToken: true }),
  );
  assert.equal(c.spec?.volumes?.length, 1, "the pod's preference wins");
});

test('a pod naming a missing service account is forbidden; mirror pods are not checked', async () => {
  await assert.rejects(
    pods().create(simplePod('sa-missing', { serviceAccountName: 'nobody' })),
    (e: unknown) => hasReason(e, 'Forbidden') && /serviceaccount "nobody" not found/.test(String(e)),
  );
  const mirror = await pods().create({
    ...simplePod('sa-mirror', { serviceAccountName: 'nobody', nodeName: 'n1' }),
    metadata: {
      name: 'sa-mirror',
      namespace: 'default',
      annotations: { 'kubernetes.io/config.mirror': 'x' },
    },
  });
  assert.equal(mirror.spec?.volumes, undefined);
});

test('TokenRequest defaults, validation and the token it signs', async () => {
  const sa = await accounts().get('default', 'default');
  const res = await requestToken('default');
  assert.deepEqual(res.spec.audiences, [ISSUER]);
  assert.equal(res.spec.expirationSeconds, 3600);
  const claims = decodeJwt(res.status.token);
  assert.equal(claims.iss, ISSUER);
  assert.equal(claims.sub, 'system:serviceaccount:default:default');
  assert.deepEqual(claims.aud, [ISSUER]);
  assert.equal(claims.exp! - claims.iat!, 3600);
  assert.equal(claims.nbf, claims.iat);
  assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
  assert.deepEqual(claims['kubernetes.io'], {
    namespace: 'default',
    serviceaccount: { name: 'default', uid: sa.metadata?.uid },
  });
  assert.equal(Date.parse(res.status.expirationTimestamp), claims.exp! * 1000);

  await assert.rejects(
    requestToken('default', { expirationSeconds: 599 }),
    (e: unknown) =>
      hasReason(e, 'Invalid') && /may not specify a duration less than 10 minutes/.test(String(e)),
  );
  await assert.rejects(requestToken('ghost'), (e: unknown) => hasReason(e, 'NotFound'));
  await assert.rejects(requestToken('default', { audiences: 'api' }), (e: unknown) =>
    hasReason(e, 'Invalid'),
  );
  await assert.rejects(requestToken('default', { expirationSeconds: '3600' }), (e: unknown) =>
    hasReason(e, 'Invalid'),
  );
  await assert.rejects(
    requestToken('default', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'nope' } }),
    (e: unknown) => hasReason(e, 'NotFound'),
  );
  await assert.rejects(
    requestToken('default', { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } }),
    (e: unknown) => hasReason(e, 'BadRequest'),
  );
});

test('a token authenticates as its service account; audiences and signature are checked', async () => {
  const sa = await accounts().get('default', 'default');
  const { status } = await requestToken('default');
  const me = await whoami(status.token);
  assert.equal(me.status, 201);
  assert.equal(me.user?.username, 'system:serviceaccount:default:default');
  assert.equal(me.user?.uid, sa.metadata?.uid);
  assert.deepEqual(me.user?.groups, [
    'system:serviceaccounts',
    'system:serviceaccounts:default',
    'system:authenticated',
  ]);
  const other = await requestToken('default', { audiences: ['vault'] });
  assert.equal((await whoami(other.status.token)).status, 401, 'a token for another audience');
  const [h, p, sig] = status.token.split('.');
  const forged = `${h}.${p}.${sig!.slice(0, -4)}AAAA`;
  assert.equal((await whoami(forged)).status, 401, 'a bad signature');
  assert.equal((await whoami('eyJhbGciOiJub25lIn0.e30.')).status, 401, 'garbage shaped like a JWT');
  assert.equal((await whoami(ADMIN_TOKEN)).user?.username, 'admin', 'static tokens still work');
});

test('a pod-bound token carries pod and node, and dies with the pod', async () => {
  const node = await client.resource<Node>(R.nodes).create({ metadata: { name: `sa-node-${process.pid}` } });
  const pod = await pods().create(simplePod('sa-bound', { nodeName: node.metadata?.name ?? '' }));
  await assert.rejects(
    requestToken('default', {
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'sa-bound', uid: 'wrong' },
    }),
    (e: unknown) => hasReason(e, 'Conflict'),
  );
  const { status } = await requestToken('default', {
    boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'sa-bound', uid: pod.metadata?.uid },
  });
  const k = decodeJwt(status.token)['kubernetes.io'] as Record<string, unknown>;
  assert.deepEqual(k.pod, { name: 'sa-bound', uid: pod.metadata?.uid });
  assert.deepEqual(k.node, { name: node.metadata?.name, uid: node.metadata?.uid });
  const me = await whoami(status.token);
  assert.deepEqual(me.user?.extra, {
    'authentication.kubernetes.io/pod-name': ['sa-bound'],
    'authentication.kubernetes.io/pod-uid': [pod.metadata?.uid],
    'authentication.kubernetes.io/node-name': [node.metadata?.name],
    'authentication.kubernetes.io/node-uid': [node.metadata?.uid],
    'authentication.kubernetes.io/credential-id': [`JTI=${String(decodeJwt(status.token).jti)}`],
  });
  // A second token bound to the pod, never used before the pod goes (the first is cached for a few seconds).
  const fresh = await requestToken('default', {
    boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'sa-bound' },
  });
  await pods().delete('default', 'sa-bound', { gracePeriodSeconds: 0 });
  await waitFor(() =>
    pods()
      .get('default', 'sa-bound')
      .then(
        () => false,
        () => true,
      ),
  );
  assert.equal((await whoami(fresh.status.token)).status, 401);
  await client.resource<Node>(R.nodes).delete('', node.metadata?.name ?? '');
});

test('TokenReview reports the user and the audiences', async () => {
  const { status } = await requestToken('default', { audiences: ['a', 'b'] });
  const review = async (spec: Record<string, unknown>) => {
    const res = await fetch(`${cluster.server.url}/apis/authentication.k8s.io/v1/tokenreviews`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec }),
    });
    assert.equal(res.status, 201);
    return (await res.json()) as {
      status: { authenticated?: boolean; user?: { username: string }; audiences?: string[]; error?: string };
    };
  };
  const ok = await review({ token: status.token, audiences: ['b', 'c'] });
  assert.equal(ok.status.authenticated, true);
  assert.equal(ok.status.user?.username, 'system:serviceaccount:default:default');
  assert.deepEqual(ok.status.audiences, ['b']);
  const wrong = await review({ token: status.token });
  assert.equal(wrong.status.authenticated, false, 'not valid for the API audience');
  assert.ok(wrong.status.error);
});

test('legacy service-account-token Secrets are filled and authenticate; orphans are deleted', async () => {
  const secrets = client.resource<Secret>(R.secrets);
  await secrets.create({
    metadata: {
      name: 'default-legacy',
      namespace: 'default',
      annotations: { 'kubernetes.io/service-account.name': 'default' },
    },
    type: 'kubernetes.io/service-account-token',
  });
  const filled = await waitFor(async () => {
    const s = await secrets.get('default', 'default-legacy');
    return s.data?.token ? s : undefined;
  });
  const sa = await accounts().get('default', 'default');
  assert.equal(filled.metadata?.annotations?.['kubernetes.io/service-account.uid'], sa.metadata?.uid);
  assert.equal(Buffer.from(filled.data!['ca.crt']!, 'base64').toString(), CA);
  assert.equal(Buffer.from(filled.data!.namespace!, 'base64').toString(), 'default');
  const token = Buffer.from(filled.data!.token!, 'base64').toString();
  const claims = decodeJwt(token);
  assert.equal(claims.iss, 'kubernetes/serviceaccount');
  assert.equal(claims.exp, undefined, 'legacy tokens do not expire');
  assert.equal(claims['kubernetes.io/serviceaccount/secret.name'], 'default-legacy');
  assert.equal((await whoami(token)).user?.username, 'system:serviceaccount:default:default');

  await secrets.create({
    metadata: {
      name: 'orphan-legacy',
      namespace: 'default',
      annotations: { 'kubernetes.io/service-account.name': 'never-made' },
    },
    type: 'kubernetes.io/service-account-token',
  });
  await waitUntilGone(
    () => secrets.get('default', 'orphan-legacy'),
    'the secret of a missing account is deleted',
  );
});

test('service account issuer discovery: the OpenID configuration and the key set verify a token', async () => {
  const get = async (path: string, token?: string) =>
    fetch(`${cluster.server.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const config = (await (await get('/.well-known/openid-configuration', ADMIN_TOKEN)).json()) as Record<
    string,
    unknown
  >;
  assert.equal(config.issuer, ISSUER);
  assert.equal(config.jwks_uri, `${ISSUER}/openid/v1/jwks`);
  assert.deepEqual(config.id_token_signing_alg_values_supported, ['RS256']);
  const res = await get('/openid/v1/jwks', ADMIN_TOKEN);
  assert.equal(res.headers.get('content-type'), 'application/jwk-set+json');
  const jwks = (await res.json()) as JSONWebKeySet;
  const { status } = await requestToken('default');
  const verified = await jwtVerify(status.token, createLocalJWKSet(jwks), {
    issuer: ISSUER,
    audience: ISSUER,
  });
  assert.equal(verified.payload.sub, 'system:serviceaccount:default:default');
  assert.equal((await get('/openid/v1/jwks')).status, 401, 'anonymous requests are refused');
});
