import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenge } from './distribution-client.js';
import {
  ManifestError,
  MediaType,
  parseImageConfig,
  parseManifest,
  selectPlatform,
  type ImageIndex,
} from './manifest.js';

const D = (c: string): string => `sha256:${c.repeat(64)}`;

void test('parses OCI and Docker manifests and indexes; content type wins; schema 1 is refused', () => {
  const m = parseManifest(
    Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: D('a'), size: 2 }, layers: [] })),
  );
  assert.equal(m.kind, 'manifest');
  assert.equal(m.mediaType, MediaType.ociManifest);
  const list = parseManifest(
    Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ digest: D('b'), size: 1 }] })),
    `${MediaType.dockerManifestList}; charset=utf-8`,
  );
  assert.deepEqual([list.kind, list.mediaType], ['index', MediaType.dockerManifestList]);
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}')), /schema 1/);
  assert.throws(
    () => parseManifest(Buffer.from(JSON.stringify({ config: { digest: 'md5:x', size: 1 }, layers: [] }))),
    ManifestError,
  );
  assert.throws(() => parseManifest(Buffer.from('nope')), ManifestError);
});

void test('selects linux/amd64 from an index, preferring no variant or the exact one', () => {
  const index: ImageIndex = {
    kind: 'index',
    mediaType: MediaType.ociIndex,
    manifests: [
      {
        mediaType: '',
        digest: D('1'),
        size: 1,
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      },
      { mediaType: '', digest: D('2'), size: 1, platform: { os: 'windows', architecture: 'amd64' } },
      {
        mediaType: '',
        digest: D('3'),
        size: 1,
        platform: { os: 'linux', architecture: 'amd64', variant: 'v3' },
      },
      { mediaType: '', digest: D('4'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  };
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'amd64' })?.digest, D('4'));
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'amd64', variant: 'v3' })?.digest, D('3'));
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm64' })?.digest, D('1'));
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 's390x' }), undefined);
});

void test('image config: diff ids and the runtime parts', () => {
  const c = parseImageConfig(
    Buffer.from(
      JSON.stringify({
        os: 'linux',
        architecture: 'amd64',
        config: { Entrypoint: ['/e'], Cmd: ['a', 'b'], Env: ['A=1'], WorkingDir: '/w', User: '1000:1000' },
        rootfs: { type: 'layers', diff_ids: [D('c')] },
      }),
    ),
  );
  assert.deepEqual(c.runtime, {
    entrypoint: ['/e'],
    cmd: ['a', 'b'],
    env: ['A=1'],
    workingDir: '/w',
    user: '1000:1000',
  });
  assert.deepEqual(c.diffIds, [D('c')]);
  assert.throws(() => parseImageConfig(Buffer.from('{"rootfs":{}}')), /diff_ids/);
});

void test('parses WWW-Authenticate challenges', () => {
  assert.deepEqual(
    parseChallenge(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
    ),
    {
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/nginx:pull',
      },
    },
  );
  assert.deepEqual(parseChallenge('Basic realm="Registry Realm"'), {
    scheme: 'basic',
    params: { realm: 'Registry Realm' },
  });
  assert.deepEqual(parseChallenge('Bearer realm=http://x/t, service=s'), {
    scheme: 'bearer',
    params: { realm: 'http://x/t', service: 's' },
  });
  assert.equal(parseChallenge(''), undefined);
});
