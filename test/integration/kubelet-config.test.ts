import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { cstatus, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness();
  h.images.addImage('docker.io/library/busybox:1.36');
});
after(() => h.close());

const envOf = (h: KubeletHarness, id: string) =>
  Object.fromEntries(h.runtime.containers.get(id)!.config.envs.map((e) => [e.key, e.value]));

void test('a configMap volume is written and updated in place when the ConfigMap changes', async () => {
  const cms = h.client.resource<ConfigMap>(R.configMaps);
  await cms.create({ metadata: { name: 'site', namespace: 'default' }, data: { 'index.html': 'v1' } });
  await h.createPod('files', {
    volumes: [{ name: 'site', configMap: { name: 'site' } }],
    containers: [
      { name: 'app', image: 'busybox:1.36', volumeMounts: [{ name: 'site', mountPath: '/usr/share/html' }] },
    ],
  });
  const p = await h.waitPod('files', (x) => x.status?.phase === 'Running');
  const mount = h.runtime.containers.get(h.containerId(p, 'app')!)!.config.mounts[0]!;
  assert.equal(mount.containerPath, '/usr/share/html');
  assert.equal(mount.readonly, true);
  assert.equal(
    mount.hostPath,
    join(h.rootDir, 'pods', p.metadata!.uid!, 'volumes', 'kubernetes.io~configmap', 'site'),
  );
  assert.equal(readFileSync(join(mount.hostPath, 'index.html'), 'utf8'), 'v1');
  await cms.patch('default', 'site', 'merge', { data: { 'index.html': 'v2' } });
  await waitFor(() => readFileSync(join(mount.hostPath, 'index.html'), 'utf8') === 'v2', {
    message: 'file updated',
  });
  // Same container: the update is in place, not a restart.
  assert.equal(h.runtime.containersNamed(p.metadata!.uid!, 'app').length, 1);
});

void test('env from a ConfigMap and a Secret, with the downward API and expansion', async () => {
  await h.client
    .resource<ConfigMap>(R.configMaps)
    .create({ metadata: { name: 'cfg', namespace: 'default' }, data: { MODE: 'fast', LEVEL: '3' } });
  await h.client.resource<Secret>(R.secrets).create({
    metadata: { name: 'creds', namespace: 'default' },
    data: { PASSWORD: Buffer.from('s3cret').toString('base64') },
  });
  await h.createPod('env', {
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        command: ['sh', '-c', 'echo $(GREETING)'],
        envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
        env: [
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
          { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'GREETING', value: 'hello $(POD_NAME) in $(MODE) mode' },
        ],
      },
    ],
  });
  const p = await h.waitPod('env', (x) => x.status?.phase === 'Running');
  const id = h.containerId(p, 'app')!;
  const env = envOf(h, id);
  assert.equal(env.CFG_MODE, 'fast');
  assert.equal(env.CFG_LEVEL, '3');
  assert.equal(env.PASSWORD, 's3cret');
  assert.equal(env.MODE, 'fast');
  assert.equal(env.POD_NAME, 'env');
  assert.equal(env.POD_IP, p.status?.podIP);
  assert.equal(env.NODE, h.nodeName);
  assert.equal(env.GREETING, 'hello env in fast mode');
  // Service links: the API server's own `kubernetes` service is always there.
  assert.match(env.KUBERNETES_SERVICE_HOST ?? '', /^10\.43\./);
  assert.equal(env.KUBERNETES_SERVICE_PORT, '443');
  assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, '443');
  assert.deepEqual(h.runtime.containers.get(id)!.config.command, ['sh', '-c', 'echo hello env in fast mode']);
});

void test('a missing key gives CreateContainerConfigError until the ConfigMap has it', async () => {
  const cms = h.client.resource<ConfigMap>(R.configMaps);
  await cms.create({ metadata: { name: 'partial', namespace: 'default' }, data: { A: '1' } });
  await h.createPod('cfgerr', {
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        env: [{ name: 'B', valueFrom: { configMapKeyRef: { name: 'partial', key: 'B' } } }],
      },
    ],
  });
  const p = await h.waitPod(
    'cfgerr',
    (x) => cstatus(x, 'app')?.state?.waiting?.reason === 'CreateContainerConfigError',
  );
  assert.equal(
    cstatus(p, 'app')?.state?.waiting?.message,
    "couldn't find key B in ConfigMap default/partial",
  );
  assert.equal(p.status?.phase, 'Pending');
  await cms.patch('default', 'partial', 'merge', { data: { B: '2' } });
  const r = await h.waitPod('cfgerr', (x) => x.status?.phase === 'Running');
  assert.equal(envOf(h, h.containerId(r, 'app')!).B, '2');
});

void test('a missing ConfigMap gives CreateContainerConfigError with the upstream message', async () => {
  await h.createPod('nocm', {
    containers: [{ name: 'app', image: 'busybox:1.36', envFrom: [{ configMapRef: { name: 'absent' } }] }],
  });
  const p = await h.waitPod(
    'nocm',
    (x) => cstatus(x, 'app')?.state?.waiting?.reason === 'CreateContainerConfigError',
  );
  assert.equal(cstatus(p, 'app')?.state?.waiting?.message, 'configmap "absent" not found');
});

void test('secret and projected volumes, updated in place too', async () => {
  const secrets = h.client.resource<Secret>(R.secrets);
  await secrets.create({
    metadata: { name: 'tls', namespace: 'default' },
    data: { 'tls.key': Buffer.from('key-1').toString('base64') },
  });
  await h.createPod(
    'secretfiles',
    {
      volumes: [
        { name: 'tls', secret: { secretName: 'tls', defaultMode: 0o400 } },
        {
          name: 'info',
          projected: {
            sources: [
              { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
              { secret: { name: 'tls', items: [{ key: 'tls.key', path: 'key' }] } },
            ],
          },
        },
      ],
      containers: [
        {
          name: 'app',
          image: 'busybox:1.36',
          volumeMounts: [
            { name: 'tls', mountPath: '/tls' },
            { name: 'info', mountPath: '/info' },
          ],
        },
      ],
    },
    { metadata: { name: 'secretfiles', labels: { tier: 'web' } } },
  );
  const p = await h.waitPod('secretfiles', (x) => x.status?.phase === 'Running');
  const mounts = h.runtime.containers.get(h.containerId(p, 'app')!)!.config.mounts;
  const tls = mounts.find((m) => m.containerPath === '/tls')!.hostPath;
  const info = mounts.find((m) => m.containerPath === '/info')!.hostPath;
  assert.equal(readFileSync(join(tls, 'tls.key'), 'utf8'), 'key-1');
  assert.equal(readFileSync(join(info, 'labels'), 'utf8'), 'tier="web"');
  assert.equal(readFileSync(join(info, 'key'), 'utf8'), 'key-1');
  await secrets.patch('default', 'tls', 'merge', {
    data: { 'tls.key': Buffer.from('key-2').toString('base64') },
  });
  await waitFor(() => readFileSync(join(tls, 'tls.key'), 'utf8') === 'key-2', {
    message: 'secret file updated',
  });
  await waitFor(() => readFileSync(join(info, 'key'), 'utf8') === 'key-2', {
    message: 'projected file updated',
  });
});
