/**
 * Storage object in-use protection with the real kubectl against `tugboat server`: a claim deleted while a
 * scheduled pod uses it shows Terminating and names its user in `kubectl describe`, and goes once the pod is
 * gone (`kubectl wait --for=delete`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

const manifests = `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: user}
spec:
  nodeName: elsewhere
  containers:
    - name: app
      image: busybox
      volumeMounts: [{name: data, mountPath: /data}]
  volumes:
    - name: data
      persistentVolumeClaim: {claimName: data}
`;

void describe('kubectl and claims in use', () => {
  let s: ServerProcess;
  const ok = async (args: string[], input?: string): Promise<{ stdout: string; stderr: string }> =>
    expectOk(await s.kubectl(args, input === undefined ? {} : { input }), `kubectl ${args.join(' ')}`);

  before(async () => {
    s = await startServerProcess({ datastoreEndpoint: 'memory://' });
  });
  after(async () => {
    await s?.stop();
  });

  test('a claim in use stays Terminating until its pod is gone', async () => {
    await ok(['apply', '-f', '-'], manifests);
    const finalizers = await ok(['get', 'pvc', 'data', '-o', 'jsonpath={.metadata.finalizers}']);
    assert.equal(finalizers.stdout, '["kubernetes.io/pvc-protection"]');
    await ok(['delete', 'pvc', 'data', '--wait=false']);
    const listed = await ok(['get', 'pvc', 'data', '--no-headers']);
    assert.match(listed.stdout, /^data\s+Terminating\s/);
    const described = await ok(['describe', 'pvc', 'data']);
    assert.match(described.stdout, /Status:\s+Terminating \(lasts/);
    assert.match(described.stdout, /Used By:\s+user\n/);
    await ok(['delete', 'pod', 'user', '--force', '--grace-period=0']);
    await ok(['wait', '--for=delete', 'pvc/data', '--timeout=30s']);
  });
});
