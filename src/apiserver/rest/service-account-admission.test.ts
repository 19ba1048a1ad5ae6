import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasReason } from '../../api/errors.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import { admitServiceAccount, type ServiceAccountAdmissionDeps } from './service-account-admission.js';

const account = { metadata: { name: 'default', uid: 'u' } } as StoredObject;

function deps(appearsAfter: number, name = 'default'): ServiceAccountAdmissionDeps & { lookups: number } {
  const d = {
    lookups: 0,
    getServiceAccount: (_ns: string, n: string) => {
      d.lookups++;
      return Promise.resolve(n === name && d.lookups > appearsAfter ? account : undefined);
    },
    randomSuffix: () => 'abcde',
    retryDelay: () => Promise.resolve(),
  };
  return d;
}

const pod = (spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: [{ name: 'c' }], ...spec },
});

void test('the default account is looked up again while its controller catches up', async () => {
  const d = deps(3);
  const p = pod();
  await admitServiceAccount(p, d);
  assert.equal(d.lookups, 4);
  assert.equal((p.spec as { volumes: { name: string }[] }).volumes[0]?.name, 'kube-api-access-abcde');
});

void test('a missing default account after ten lookups, or any other missing account at once, is refused', async () => {
  const d = deps(100);
  await assert.rejects(admitServiceAccount(pod(), d), (e: unknown) => hasReason(e, 'Forbidden'));
  assert.equal(d.lookups, 10);
  const other = deps(100, 'robot');
  await assert.rejects(admitServiceAccount(pod({ serviceAccountName: 'robot' }), other), (e: unknown) =>
    hasReason(e, 'Forbidden'),
  );
  assert.equal(other.lookups, 1);
});

void test('an existing kube-api-access volume is reused; a pod without containers needing it gets none', async () => {
  const p = pod({ volumes: [{ name: 'kube-api-access-zzzzz', projected: { sources: [] } }] });
  await admitServiceAccount(p, deps(0));
  const spec = p.spec as { volumes: unknown[]; containers: { volumeMounts: { name: string }[] }[] };
  assert.equal(spec.volumes.length, 1);
  assert.equal(spec.containers[0]?.volumeMounts[0]?.name, 'kube-api-access-zzzzz');
  const q = pod({
    containers: [
      {
        name: 'c',
        volumeMounts: [{ name: 'x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
      },
    ],
  });
  await admitServiceAccount(q, deps(0));
  assert.equal((q.spec as { volumes?: unknown[] }).volumes, undefined);
});
