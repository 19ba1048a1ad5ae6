import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import { isApiError } from '../../src/api/errors.js';
import { ApiClient, type ResourceType } from '../../src/client/index.js';
import { startApiServer } from '../../src/apiserver/index.js';
import { sleep } from '../../src/util/wait.js';
import { adminAuthenticator, serverForTests, startTestServer } from '../helpers/api-server.js';

const DEFAULT = 'ingressclass.kubernetes.io/is-default-class';
const networking = (version: string, resource: string, kind: string, namespaced: boolean): ResourceType => ({
  group: 'networking.k8s.io',
  version,
  resource,
  kind,
  namespaced,
});
const INGRESSES = networking('v1', 'ingresses', 'Ingress', true);
const INGRESS_CLASSES = networking('v1', 'ingressclasses', 'IngressClass', false);

const t = serverForTests();
const ingresses = () => t.client.resource<Ingress>(INGRESSES);
const classes = () => t.client.resource<IngressClass>(INGRESS_CLASSES);

function ingress(name: string, spec: Ingress['spec'] = {}, annotations?: Record<string, string>): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } }, ...spec },
  };
}
const classOf = async (name: string) => (await ingresses().get('default', name)).spec?.ingressClassName;

test('the API server starts with the default tugboat IngressClass; class-less Ingresses get it', async () => {
  const tugboat = await classes().get('', 'tugboat');
  assert.equal(tugboat.metadata?.annotations?.[DEFAULT], 'true');
  assert.equal(tugboat.spec?.controller, 'tugboat.dev/ingress-controller');
  assert.equal((await ingresses().create(ingress('plain'))).spec?.ingressClassName, 'tugboat');
  assert.equal(await classOf('plain'), 'tugboat');
});

test('a class named in the spec or the legacy annotation is kept; "" is invalid, not defaulted', async () => {
  const other = await ingresses().create(ingress('other', { ingressClassName: 'other' }));
  assert.equal(other.spec?.ingressClassName, 'other');
  const legacy = await ingresses().create(ingress('legacy', {}, { 'kubernetes.io/ingress.class': 'nginx' }));
  assert.equal(legacy.spec?.ingressClassName, undefined);
  // Present but empty still counts as a class, as upstream.
  const empty = await ingresses().create(
    ingress('empty-annotation', {}, { 'kubernetes.io/ingress.class': '' }),
  );
  assert.equal(empty.spec?.ingressClassName, undefined);
  await assert.rejects(ingresses().create(ingress('empty', { ingressClassName: '' })), (err) => {
    assert.ok(isApiError(err));
    assert.equal(err.reason, 'Invalid');
    return true;
  });
});

test('dry run, server-side apply and the v1beta1 versions get the default class on create', async () => {
  const dry = await ingresses().create(ingress('dry'), { dryRun: true });
  assert.equal(dry.spec?.ingressClassName, 'tugboat');
  const applied = await ingresses().patch('default', 'applied', 'apply', ingress('applied'), {
    fieldManager: 'test',
  });
  assert.equal(applied.spec?.ingressClassName, 'tugboat');
  for (const group of ['networking.k8s.io', 'extensions']) {
    const beta = t.client.resource({ ...INGRESSES, group, version: 'v1beta1' });
    const name = `beta-${group.split('.')[0]}`;
    const created = await beta.create({
      apiVersion: `${group}/v1beta1`,
      kind: 'Ingress',
      metadata: { name, namespace: 'default' },
      // A backend both versions spell alike.
      spec: {
        rules: [
          {
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { resource: { apiGroup: 'example.com', kind: 'Bucket', name: 'b' } },
                },
              ],
            },
          },
        ],
      },
    });
    assert.equal((created.spec as Ingress['spec'])?.ingressClassName, 'tugboat', `${group}/v1beta1`);
    assert.equal(await classOf(name), 'tugboat');
  }
});

test('an update leaves a class-less Ingress without class', async () => {
  const legacy = await ingresses().get('default', 'legacy');
  delete legacy.metadata!.annotations!['kubernetes.io/ingress.class'];
  const updated = await ingresses().update(legacy);
  assert.equal(updated.spec?.ingressClassName, undefined);
  const patched = await ingresses().patch('default', 'empty-annotation', 'json', [
    { op: 'remove', path: '/metadata/annotations' },
  ]);
  assert.equal(patched.spec?.ingressClassName, undefined);
});

test('of two default classes the newest wins; with no default class none is set', async () => {
  const tugboat = await classes().get('', 'tugboat');
  // Creation times have a resolution of one second; the name sorts after tugboat, so a tie would not pick it.
  while (new Date().toISOString().slice(0, 19) + 'Z' <= tugboat.metadata!.creationTimestamp!) await sleep(50);
  await classes().create({
    metadata: { name: 'zz-newer', annotations: { [DEFAULT]: 'true' } },
    spec: { controller: 'example.com/ingress' },
  });
  assert.equal((await ingresses().create(ingress('two-defaults'))).spec?.ingressClassName, 'zz-newer');
  await classes().delete('', 'zz-newer');
  await classes().patch('', 'tugboat', 'merge', { metadata: { annotations: { [DEFAULT]: null } } });
  assert.equal((await ingresses().create(ingress('no-default'))).spec?.ingressClassName, undefined);
  await classes().patch('', 'tugboat', 'merge', { metadata: { annotations: { [DEFAULT]: 'true' } } });
  assert.equal((await ingresses().create(ingress('default-again'))).spec?.ingressClassName, 'tugboat');
});

test('the class is created only at start and only when missing: a deletion stays while the server runs, edits survive another start', async () => {
  await classes().delete('', 'tugboat');
  await sleep(200);
  await assert.rejects(classes().get('', 'tugboat'), (err) => isApiError(err) && err.reason === 'NotFound');
  assert.equal((await ingresses().create(ingress('after-delete'))).spec?.ingressClassName, undefined);

  const own = await startTestServer({ ingressClass: false });
  const client = new ApiClient({ server: own.url });
  try {
    const ownClasses = client.resource<IngressClass>(INGRESS_CLASSES);
    assert.deepEqual((await ownClasses.list()).items, [], 'ingressClass: false creates none');
    // The next start that wants it creates it; after that a user's edit of it is kept.
    const start = () =>
      startApiServer({
        bindAddress: '127.0.0.1',
        port: 0,
        authenticator: adminAuthenticator,
        store: own.store,
        serviceCIDR: '10.43.0.0/16',
      });
    await (await start()).close();
    const edited = await ownClasses.patch('', 'tugboat', 'merge', {
      metadata: { annotations: { [DEFAULT]: 'false' } },
    });
    await (await start()).close();
    const after = await ownClasses.get('', 'tugboat');
    assert.equal(after.metadata?.resourceVersion, edited.metadata?.resourceVersion);
    assert.equal(after.metadata?.annotations?.[DEFAULT], 'false');
  } finally {
    client.close();
    await own.close();
  }
});
