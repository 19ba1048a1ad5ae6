import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { legacyClaims } from '../../api/serviceaccount/claims.js';
import { TokenSigner } from '../../api/serviceaccount/jwt.js';
import type { StoredObject } from '../../api/meta.js';
import { FakeClock, rfc3339 } from '../../util/clock.js';
import { ServiceAccountTokens, TokenInvalidError, type TokenObjectGetter } from './tokens.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

function obj(name: string, uid: string, extra: Partial<StoredObject> = {}): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'X',
    metadata: { name, uid, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' },
    ...extra,
  };
}

function setUp() {
  const clock = new FakeClock();
  const objects = new Map<string, StoredObject>([
    ['serviceaccounts/ns/sa', obj('sa', 'sa-uid')],
    ['pods/ns/p', obj('p', 'pod-uid')],
    ['secrets/ns/s', obj('s', 'secret-uid')],
  ]);
  const getter: TokenObjectGetter = {
    get: (r, ns, name) => Promise.resolve(objects.get(`${r}/${ns}/${name}`)),
  };
  const tokens = new ServiceAccountTokens(
    {
      signingKeyPem: KEY,
      issuer: ISSUER,
      apiAudiences: [ISSUER],
      clock,
      newJti: () => 'jti-1',
      cacheTtlMs: 5000,
    },
    getter,
  );
  return { clock, objects, tokens };
}

const rejected = (p: Promise<unknown>) => assert.rejects(p, TokenInvalidError);

void test('a token is valid until it expires (with 60 s of leeway)', async () => {
  const { clock, tokens } = setUp();
  const { token, expiresAt } = await tokens.issue({
    namespace: 'ns',
    serviceAccount: { name: 'sa', uid: 'sa-uid' },
    audiences: [ISSUER],
    expirationSeconds: 600,
  });
  assert.equal(expiresAt, clock.now() + 600_000);
  const user = await tokens.authenticate(token);
  assert.equal(user.username, 'system:serviceaccount:ns:sa');
  assert.deepEqual(user.extra, { 'authentication.kubernetes.io/credential-id': ['JTI=jti-1'] });
  clock.advance(600_000 + 61_000);
  await rejected(tokens.authenticate(token));
});

void test('a re-created service account or a deleted pod invalidates the token after the cache', async () => {
  const { clock, objects, tokens } = setUp();
  const { token } = await tokens.issue({
    namespace: 'ns',
    serviceAccount: { name: 'sa', uid: 'sa-uid' },
    audiences: [ISSUER],
    expirationSeconds: 3600,
    pod: { name: 'p', uid: 'pod-uid' },
  });
  await tokens.authenticate(token);
  // The pod is being deleted: its tokens stay valid for 60 s after deletionTimestamp, as upstream.
  objects.set(
    'pods/ns/p',
    obj('p', 'pod-uid', {
      metadata: { ...obj('p', 'pod-uid').metadata, deletionTimestamp: rfc3339(clock.now()) },
    }),
  );
  clock.advance(30_000);
  await tokens.authenticate(token);
  clock.advance(40_000);
  await rejected(tokens.authenticate(token));
  objects.set('pods/ns/p', obj('p', 'pod-uid'));
  await tokens.authenticate(token);
  objects.delete('pods/ns/p');
  await tokens.authenticate(token); // still cached
  clock.advance(5001);
  await rejected(tokens.authenticate(token));
  objects.set('pods/ns/p', obj('p', 'pod-uid'));
  objects.set('serviceaccounts/ns/sa', obj('sa', 'other-uid'));
  await rejected(tokens.authenticate(token));
});

void test('a token for another audience or issuer is refused', async () => {
  const { tokens } = setUp();
  const { token } = await tokens.issue({
    namespace: 'ns',
    serviceAccount: { name: 'sa', uid: 'sa-uid' },
    audiences: ['vault'],
    expirationSeconds: 3600,
  });
  await rejected(tokens.authenticate(token));
  assert.equal((await tokens.authenticate(token, ['vault', 'x'])).username, 'system:serviceaccount:ns:sa');
  const other = new TokenSigner(KEY);
  const now = Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000);
  const foreign = await other.sign({
    iss: 'https://elsewhere',
    aud: [ISSUER],
    exp: now + 900,
    iat: now,
    nbf: now,
  });
  await rejected(tokens.authenticate(foreign));
});

void test('a legacy token is valid while its secret holds it', async () => {
  const { clock, objects, tokens } = setUp();
  const token = await new TokenSigner(KEY).sign(
    legacyClaims({ namespace: 'ns', name: 'sa', uid: 'sa-uid' }, 's'),
  );
  await rejected(tokens.authenticate(token)); // the secret does not hold it yet
  const holding = obj('s', 'secret-uid', { data: { token: Buffer.from(token).toString('base64') } });
  objects.set('secrets/ns/s', holding);
  const user = await tokens.authenticate(token);
  assert.equal(user.username, 'system:serviceaccount:ns:sa');
  assert.equal(user.extra, undefined);
  objects.delete('secrets/ns/s');
  clock.advance(5001);
  await rejected(tokens.authenticate(token));
});

void test('a pod-bound token asked for with 3607 s for the API is signed for a year with warnafter', async () => {
  const { clock, tokens } = setUp();
  const now = Math.floor(clock.now() / 1000);
  const base = {
    namespace: 'ns',
    serviceAccount: { name: 'sa', uid: 'sa-uid' },
    audiences: [ISSUER],
    expirationSeconds: 3607,
  };
  const bound = await tokens.issue({ ...base, pod: { name: 'p', uid: 'pod-uid' } });
  assert.equal(bound.expiresAt, (now + 3607) * 1000, 'the answer names the lifetime asked for');
  const claims = JSON.parse(Buffer.from(bound.token.split('.')[1]!, 'base64url').toString()) as {
    exp: number;
    'kubernetes.io': { warnafter?: number };
  };
  assert.equal(claims.exp, now + 365 * 24 * 3600);
  assert.equal(claims['kubernetes.io'].warnafter, now + 3607);
  for (const other of [base, { ...base, pod: { name: 'p', uid: 'pod-uid' }, audiences: ['vault'] }]) {
    const t = await tokens.issue(other);
    const c = JSON.parse(Buffer.from(t.token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    assert.equal(c.exp, now + 3607, 'not extended');
  }
});
