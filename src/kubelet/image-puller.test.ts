import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Secret } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../util/clock.js';
import { FakeImageService } from './cri/fake/index.js';
import { ImagePuller, ImagePullError } from './image-puller.js';
import { defaultPullPolicy, normalizeImage } from './image-reference.js';
import { authConfigsFor } from './pull-secrets.js';

void test('image references normalize as Docker does', () => {
  assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalizeImage('nginx:1.25'), 'docker.io/library/nginx:1.25');
  assert.equal(normalizeImage('user/app'), 'docker.io/user/app:latest');
  assert.equal(normalizeImage('127.0.0.1:5000/web:v1'), '127.0.0.1:5000/web:v1');
  assert.equal(normalizeImage('localhost/web'), 'localhost/web:latest');
  assert.equal(normalizeImage('quay.io/a/b@sha256:abc'), 'quay.io/a/b@sha256:abc');
});

void test('default pull policy: latest or no tag → Always, else IfNotPresent', () => {
  assert.equal(defaultPullPolicy('nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('127.0.0.1:5000/web'), 'Always');
  assert.equal(defaultPullPolicy('127.0.0.1:5000/web:v1'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('nginx@sha256:abc'), 'IfNotPresent');
});

const dockerconfig = (auths: Record<string, unknown>): Secret => ({
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') },
});

void test('imagePullSecrets → AuthConfig for the image registry', () => {
  const secrets = [
    dockerconfig({
      'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') },
      'reg.example:5000': { username: 'u', password: 'p' },
      'reg.example:5000/team': { username: 'team', password: 'tp' },
    }),
  ];
  assert.deepEqual(authConfigsFor('nginx', secrets), [
    { username: 'hub', password: 'pw', auth: Buffer.from('hub:pw').toString('base64') },
  ]);
  assert.deepEqual(
    authConfigsFor('reg.example:5000/team/app:1', secrets).map((a) => a.username),
    ['team', 'u'],
  );
  assert.deepEqual(authConfigsFor('other.example/x', secrets), []);
});

const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [] } };

void test('pull policies, ErrImagePull then ImagePullBackOff, success after the back-off', async () => {
  const images = new FakeImageService();
  const clock = new FakeClock();
  const puller = new ImagePuller(images, clock);
  const events: string[] = [];
  const ev = (_t: string, reason: string) => void events.push(reason);

  images.addImage('docker.io/library/busybox:1.36');
  const present = await puller.ensure(pod, { name: 'c', image: 'busybox:1.36' }, [], ev);
  assert.equal(present.image, 'docker.io/library/busybox:1.36');
  assert.equal(images.pulls.length, 0);

  await puller.ensure(pod, { name: 'c', image: 'busybox:1.36', imagePullPolicy: 'Always' }, [], ev);
  assert.equal(images.pulls.length, 1);

  await assert.rejects(
    puller.ensure(pod, { name: 'c', image: 'absent:1', imagePullPolicy: 'Never' }, [], ev),
    (e: unknown) =>
      e instanceof ImagePullError &&
      e.reason === 'ErrImageNeverPull' &&
      e.message === 'Container image "absent:1" is not present with pull policy of Never',
  );

  images.injectPullError('docker.io/library/broken:1', new Error('manifest unknown'), Infinity);
  const broken = { name: 'c', image: 'broken:1' };
  await assert.rejects(
    puller.ensure(pod, broken, [], ev),
    (e: unknown) =>
      e instanceof ImagePullError && e.reason === 'ErrImagePull' && e.message === 'manifest unknown',
  );
  await assert.rejects(
    puller.ensure(pod, broken, [], ev),
    (e: unknown) => e instanceof ImagePullError && e.reason === 'ImagePullBackOff',
  );
  clock.advance(10_001);
  await assert.rejects(
    puller.ensure(pod, broken, [], ev),
    (e: unknown) => e instanceof ImagePullError && e.reason === 'ErrImagePull',
  );
  clock.advance(10_001); // the back-off doubled to 20 s
  await assert.rejects(
    puller.ensure(pod, broken, [], ev),
    (e: unknown) => e instanceof ImagePullError && e.reason === 'ImagePullBackOff',
  );
  images.clearPullError('docker.io/library/broken:1');
  clock.advance(10_000);
  const ok = await puller.ensure(pod, broken, [{ username: 'u', password: 'p' }], ev);
  assert.match(ok.imageRef, /^sha256:/);
  assert.deepEqual(images.pulls.at(-1), {
    image: 'docker.io/library/broken:1',
    auth: { username: 'u', password: 'p' },
  });
  assert.ok(events.includes('Pulling') && events.includes('Failed') && events.includes('BackOff'));
});
