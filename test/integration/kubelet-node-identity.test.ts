/**
 * A kubelet that talks to the API server as its node (`system:node:<name>` in `system:nodes`), not as the
 * administrator: the Node authorizer and NodeRestriction let it register, heartbeat, run a pod with a Secret
 * volume, a Secret env var and the injected service account token, report status and confirm the deletion.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ConfigMap, Node, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { createAuthenticator } from '../../src/apiserver/auth/index.js';
import { hasReason } from '../../src/api/errors.js';
import { R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

const nodeName = `identity-${process.pid}`;
let h: KubeletHarness;

before(async () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  h = await startKubeletHarness({
    nodeName,
    server: {
      authenticator: createAuthenticator({
        tokens: [
          { token: 'admin-token', username: 'admin', uid: 'admin', groups: ['system:masters'] },
          {
            token: 'node-token',
            username: `system:node:${nodeName}`,
            uid: nodeName,
            groups: ['system:nodes'],
          },
        ],
      }),
      serviceAccount: { signingKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
    },
    adminToken: 'admin-token',
    kubeletToken: 'node-token',
    start: false,
  });
  h.images.addImage('docker.io/library/busybox:1.36');
  // What the service account and root CA controllers would have made (none runs here).
  await h.client
    .resource<ServiceAccount>(R.serviceAccounts)
    .create({ metadata: { name: 'default', namespace: 'default' } });
  await h.client.resource<ConfigMap>(R.configMaps).create({
    metadata: { name: 'kube-root-ca.crt', namespace: 'default' },
    data: { 'ca.crt': 'test CA' },
  });
  await h.kubelet.start();
});
after(() => h.close());

void test('the node registered itself and keeps its lease', async () => {
  const node = await h.client.resource<Node>(R.nodes).get('', nodeName);
  assert.equal(node.metadata?.labels?.['kubernetes.io/os'], 'linux');
  await waitFor(
    async () => {
      try {
        return await h.client.resource<Lease>(R.leases).get('kube-node-lease', nodeName);
      } catch (err) {
        if (hasReason(err, 'NotFound')) return undefined;
        throw err;
      }
    },
    { message: 'node lease' },
  );
});

void test('a pod with a secret volume, a secret env var and a service account token runs', async () => {
  await h.client.resource<Secret>(R.secrets).create({
    metadata: { name: 'app-secret', namespace: 'default' },
    data: { password: Buffer.from('s3cret').toString('base64') },
  });
  await h.client.resource<Secret>(R.secrets).create({
    metadata: { name: 'unrelated', namespace: 'default' },
    data: { password: Buffer.from('other').toString('base64') },
  });
  await h.createPod('app', {
    volumes: [{ name: 'creds', secret: { secretName: 'app-secret' } }],
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } }],
        volumeMounts: [{ name: 'creds', mountPath: '/creds' }],
      },
    ],
  });
  const p = await h.waitPod('app', (x) => x.status?.phase === 'Running', 'pod running as the node', 20_000);
  const config = h.runtime.containers.get(h.containerId(p, 'app')!)!.config;
  const mountOf = (path: string) => config.mounts.find((m) => m.containerPath === path)!.hostPath;
  assert.equal(readFileSync(join(mountOf('/creds'), 'password'), 'utf8'), 's3cret');
  assert.ok(config.envs.some((e) => e.key === 'PASSWORD' && e.value === 's3cret'));
  // The injected kube-api-access volume: a token bound to the pod and the root CA ConfigMap.
  const sa = mountOf('/var/run/secrets/kubernetes.io/serviceaccount');
  assert.match(readFileSync(join(sa, 'token'), 'utf8'), /^ey/);
  assert.equal(readFileSync(join(sa, 'ca.crt'), 'utf8'), 'test CA');

  // The same credentials get nothing the node's pods do not use.
  const res = await fetch(`${h.server.url}/api/v1/namespaces/default/secrets/unrelated`, {
    headers: { authorization: 'Bearer node-token' },
  });
  assert.equal(res.status, 403);
  assert.match(
    ((await res.json()) as { message: string }).message,
    new RegExp(`no relationship found between node '${nodeName}' and this object$`),
  );

  // A graceful delete ends with the kubelet's own confirmation (a delete NodeRestriction lets through).
  await h.client.resource(R.pods).delete('default', 'app');
  await waitFor(async () => (await h.getPod('app')) === undefined, {
    message: 'pod gone',
    timeoutMs: 20_000,
  });
});
