/**
 * Pull authentication and verification against an in-test registry on 127.0.0.1 (no external registry
 * needed): the Bearer challenge and token flow, Basic auth, credentials from a dockerconfigjson secret,
 * and corrupted blobs that must never become visible in the store.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/util/clock.js';
import {
  DigestMismatchError,
  LocalImageService,
  RegistryError,
  openNodeImageService,
  parseRegistriesConfig,
  selectPullAuth,
} from '../../src/kubelet/images/index.js';
import { FakeRegistry, type FakeRegistryOptions } from './images-fake-registry.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(
  opts: FakeRegistryOptions,
): Promise<{ registry: FakeRegistry; service: LocalImageService; root: string }> {
  const registry = new FakeRegistry(opts);
  await registry.start();
  cleanups.push(() => registry.stop());
  const root = await mkdtemp(join(tmpdir(), `tugboat-images-auth-${process.pid}-`));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const service = new LocalImageService({ root, clock: new FakeClock(), privileged: false });
  return { registry, service, root };
}

function dockerConfigSecret(host: string, username: string, password: string): Record<string, string> {
  const json = JSON.stringify({
    auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } },
  });
  return { '.dockerconfigjson': Buffer.from(json).toString('base64') };
}

void test('anonymous Bearer challenge: a token is fetched from the realm with service and scope', async () => {
  const { registry, service, root } = await setup({ auth: 'bearer' });
  const img = await registry.addImage('team/app', 'v1', 'hello bearer');
  const id = await service.pullImage({ image: `${registry.host}/team/app:v1` });
  assert.equal(id, img.configDigest);
  assert.equal(registry.tokenRequests.length, 1, 'one token for the whole pull');
  const query = new URLSearchParams(registry.tokenRequests[0]!.query);
  assert.equal(query.get('service'), 'fake-registry');
  assert.equal(query.get('scope'), 'repository:team/app:pull');
  assert.equal(registry.tokenRequests[0]!.authorization, undefined);
  const { layerDirs } = await service.layers(id);
  assert.equal(await readFile(join(layerDirs[0]!, 'hello'), 'utf8'), 'hello bearer');
  assert.ok(root);
});

void test('Bearer with credentials from an imagePullSecret; without them the pull is Unauthorized', async () => {
  const { registry, service } = await setup({ auth: 'bearer', username: 'alice', password: 'pw' });
  const img = await registry.addImage('private/app', 'latest', 'secret stuff');
  const image = `${registry.host}/private/app`;
  await assert.rejects(
    service.pullImage({ image }),
    (err) => err instanceof RegistryError && err.reason === 'Unauthorized',
  );
  const wrong = selectPullAuth(image, [dockerConfigSecret(registry.host, 'alice', 'nope')]);
  await assert.rejects(service.pullImage({ image }, wrong), /Unauthorized|HTTP 401/);
  const auth = selectPullAuth(image, [
    dockerConfigSecret('other.example.com', 'x', 'y'),
    dockerConfigSecret(registry.host, 'alice', 'pw'),
  ]);
  assert.deepEqual([auth?.username, auth?.password], ['alice', 'pw']);
  assert.equal(await service.pullImage({ image }, auth), img.configDigest);
  assert.equal(
    registry.tokenRequests.at(-1)?.authorization,
    `Basic ${Buffer.from('alice:pw').toString('base64')}`,
  );
});

void test('Basic challenge is answered with the AuthConfig', async () => {
  const { registry, service } = await setup({ auth: 'basic', username: 'bob', password: 'hunter2' });
  const img = await registry.addImage('b/app', 'latest', 'basic');
  const image = `${registry.host}/b/app`;
  await assert.rejects(service.pullImage({ image }), /requires credentials/);
  assert.equal(
    await service.pullImage({ image }, { username: 'bob', password: 'hunter2' }),
    img.configDigest,
  );
  assert.equal(registry.tokenRequests.length, 0);
});

void test('a corrupted layer or config fails the pull and leaves nothing in the store', async () => {
  const { registry, service, root } = await setup({});
  const img = await registry.addImage('c/app', 'latest', 'x'.repeat(100_000));
  (registry as unknown as { opts: FakeRegistryOptions }).opts.corrupt = new Set([img.layers[0]!.digest]);
  await assert.rejects(service.pullImage({ image: `${registry.host}/c/app` }), (err) => {
    // The flipped byte is inside the gzip stream: either gunzip or the digest check notices first.
    return err instanceof DigestMismatchError || /incorrect|invalid|unexpected/i.test((err as Error).message);
  });
  (registry as unknown as { opts: FakeRegistryOptions }).opts.corrupt = new Set([img.configDigest]);
  await assert.rejects(service.pullImage({ image: `${registry.host}/c/app` }), DigestMismatchError);
  assert.deepEqual(await service.listImages(), []);
  assert.deepEqual(await readdir(join(root, 'layers', 'sha256')), []);
  assert.deepEqual(await readdir(join(root, 'tmp')), []);

  // Served intact, the same pull works.
  (registry as unknown as { opts: FakeRegistryOptions }).opts.corrupt = new Set();
  assert.equal(await service.pullImage({ image: `${registry.host}/c/app` }), img.configDigest);
});

void test('a digest-pinned reference is verified against the manifest bytes', async () => {
  const { registry, service } = await setup({});
  const img = await registry.addImage('d/app', 'latest', 'pinned');
  assert.equal(
    await service.pullImage({ image: `${registry.host}/d/app@${img.manifestDigest}` }),
    img.configDigest,
  );
  const status = await service.imageStatus({ image: `${registry.host}/d/app@${img.manifestDigest}` });
  assert.deepEqual(status?.repoDigests, [`${registry.host}/d/app@${img.manifestDigest}`]);
  assert.deepEqual(status?.repoTags, []);
  // The registry answers a different manifest for this digest: refused.
  const other = await registry.addImage('d/app', 'other', 'other');
  registry.manifests.set(`d/app:${img.manifestDigest}`, registry.manifests.get(`d/app:${other.tag}`)!);
  await service.removeImage({ image: img.configDigest });
  await assert.rejects(
    service.pullImage({ image: `${registry.host}/d/app@${img.manifestDigest}` }),
    /has digest/,
  );
});

void test('registries.yaml: a mirror with its own credentials serves a registry by another name', async () => {
  const { registry, root } = await setup({ auth: 'basic', username: 'mirror-user', password: 'mp' });
  const img = await registry.addImage('team/app', 'v1', 'from the mirror');
  // The mirror answers, so the registry's own (unreachable, .invalid) endpoint is never tried.
  const registries = parseRegistriesConfig(
    [
      'mirrors:',
      '  registry.invalid:',
      `    endpoint: ["http://${registry.host}"]`,
      'configs:',
      `  "${registry.host}":`,
      '    auth: { username: mirror-user, password: mp }',
    ].join('\n'),
  );
  const service = new LocalImageService({
    root: join(root, 'mirrored'),
    clock: new FakeClock(),
    registries,
    privileged: false,
  });
  assert.equal(await service.pullImage({ image: 'registry.invalid/team/app:v1' }), img.configDigest);
  const status = await service.imageStatus({ image: 'registry.invalid/team/app:v1' });
  assert.deepEqual(status?.repoTags, ['registry.invalid/team/app:v1']);
  assert.ok(registry.requests.includes('/v2/team/app/manifests/v1'));
});

void test('an identity token is exchanged for an access token by an OAuth2 refresh-token POST', async () => {
  const { registry, service } = await setup({ auth: 'bearer', refreshToken: 'refresh-123' });
  const img = await registry.addImage('oauth/app', 'latest', 'oauth');
  const image = `${registry.host}/oauth/app`;
  await assert.rejects(service.pullImage({ image }, { identityToken: 'wrong' }), /Unauthorized|HTTP 401/);
  assert.equal(await service.pullImage({ image }, { identityToken: 'refresh-123' }), img.configDigest);
  assert.deepEqual(registry.tokenRequests.at(-1)?.form, {
    grant_type: 'refresh_token',
    refresh_token: 'refresh-123',
    service: 'fake-registry',
    scope: 'repository:oauth/app:pull',
    client_id: 'tugboat',
  });
});

void test('openNodeImageService reads DATA_DIR/registries.yaml and stores in DATA_DIR/agent/images', async () => {
  const { registry, root } = await setup({});
  const img = await registry.addImage('team/app', 'v2', 'node service');
  const dataDir = join(root, 'data');
  await mkdir(dataDir);
  await writeFile(
    join(dataDir, 'registries.yaml'),
    `mirrors:\n  registry.invalid:\n    endpoint: ["http://${registry.host}"]\n`,
  );
  const service = await openNodeImageService({ dataDir, clock: new FakeClock(), privileged: false });
  assert.equal(await service.pullImage({ image: 'registry.invalid/team/app:v2' }), img.configDigest);
  assert.equal((await readdir(join(dataDir, 'agent', 'images', 'images'))).length, 1);
});
