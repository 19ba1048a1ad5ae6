/**
 * LimitRanges with the real kubectl against `tugboat server`: `kubectl describe` reads the defaulted range,
 * `kubectl run` gets the container defaults, pods and claims outside the bounds are refused with upstream's
 * messages as kubectl prints them, a Deployment's ReplicaSet reports its refused pods as FailedCreate, and a
 * ResourceQuota that demands requests accepts the defaulted pods.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../../src/util/wait.js';
import { eventMessages, expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

const limitRange = `
apiVersion: v1
kind: LimitRange
metadata:
  name: limits
  namespace: lr
spec:
  limits:
    - type: Container
      max: {cpu: "1", memory: 1Gi}
      min: {cpu: 50m}
      default: {cpu: 500m, memory: 256Mi}
      defaultRequest: {cpu: 100m}
      maxLimitRequestRatio: {cpu: "10"}
    - type: Pod
      max: {cpu: 1500m}
    - type: PersistentVolumeClaim
      min: {storage: 1Gi}
      max: {storage: 10Gi}
`;

const bigPod = `
apiVersion: v1
kind: Pod
metadata: {name: big, namespace: lr}
spec:
  containers:
    - name: web
      image: busybox
      resources:
        limits: {cpu: "2"}
`;

const bigDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: big, namespace: lr}
spec:
  replicas: 1
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec:
      containers:
        - name: web
          image: busybox
          resources:
            limits: {cpu: "2"}
`;

const greedyOverrides = JSON.stringify({
  spec: {
    containers: [
      { name: 'greedy', image: 'busybox', resources: { requests: { cpu: '50m' }, limits: { cpu: '1' } } },
    ],
  },
});

const claim = (name: string, storage: string): string => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}, namespace: lr}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  resources:
    requests: {storage: ${storage}}
`;

void describe('kubectl and LimitRanges', () => {
  let s: ServerProcess;
  const ok = async (args: string[], input?: string): Promise<{ stdout: string; stderr: string }> =>
    expectOk(await s.kubectl(args, input === undefined ? {} : { input }), `kubectl ${args.join(' ')}`);

  before(async () => {
    s = await startServerProcess({ datastoreEndpoint: 'memory://' });
    await ok(['create', 'namespace', 'lr']);
    await ok(['apply', '-f', '-'], limitRange);
  });
  after(async () => {
    await s?.stop();
  });

  test('kubectl describe shows the range with the defaults it was given', async () => {
    const { stdout } = await ok(['-n', 'lr', 'describe', 'limitrange', 'limits']);
    const rows = stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/).join(' '))
      .filter((line) => /^(Container|Pod|PersistentVolumeClaim) /.test(line));
    assert.deepEqual(rows.sort(), [
      'Container cpu 50m 1 100m 500m 10',
      'Container memory - 1Gi 256Mi 256Mi -',
      'PersistentVolumeClaim storage 1Gi 10Gi - - -',
      'Pod cpu - 1500m - - -',
    ]);
    const ns = await ok(['describe', 'namespace', 'lr']);
    assert.match(ns.stdout, /Resource Limits\n/);
    assert.match(ns.stdout, /Container\s+cpu\s+50m\s+1\s+100m\s+500m\s+10/);
  });

  test('kubectl run gets the container defaults and the annotation that names them', async () => {
    await ok(['-n', 'lr', 'run', 'web', '--image=busybox', '--restart=Never']);
    const { stdout } = await ok(['-n', 'lr', 'get', 'pod', 'web', '-o', 'json']);
    const pod = JSON.parse(stdout) as {
      metadata: { annotations?: Record<string, string> };
      spec: { containers: { resources: unknown }[] };
    };
    assert.deepEqual(pod.spec.containers[0]!.resources, {
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
    assert.equal(
      pod.metadata.annotations?.['kubernetes.io/limit-ranger'],
      'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web',
    );
  });

  test('pods and claims outside the bounds are refused as upstream words it', async () => {
    const pod = await s.kubectl(['apply', '-f', '-'], { input: bigPod });
    assert.equal(pod.code, 1);
    assert.equal(
      pod.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: ' +
        '[maximum cpu usage per Container is 1, but limit is 2, maximum cpu usage per Pod is 1500m, but limit is 2]',
    );
    const small = await s.kubectl(['apply', '-f', '-'], { input: claim('small', '100Mi') });
    assert.equal(small.code, 1);
    assert.equal(
      small.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": persistentvolumeclaims "small" is forbidden: ' +
        'minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 100Mi',
    );
    await ok(['apply', '-f', '-'], claim('fits', '5Gi'));
    // A request far below its limit breaks the ratio (the limit alone would have been the request too).
    const greedy = await s.kubectl(
      ['-n', 'lr', 'run', 'greedy', '--image=busybox', '--restart=Never', '--overrides', greedyOverrides],
      {},
    );
    assert.equal(greedy.code, 1);
    assert.equal(
      greedy.stderr.trim(),
      'Error from server (Forbidden): pods "greedy" is forbidden: ' +
        'cpu max limit to request ratio per Container is 10, but provided ratio is 20.000000',
    );
  });

  test('a Deployment is accepted and its ReplicaSet reports the refused pods', async () => {
    await ok(['apply', '-f', '-'], bigDeployment);
    const event = await eventMessages(s, 'reason=FailedCreate', 'maximum cpu usage', { namespace: 'lr' });
    assert.match(
      event,
      /Error creating: pods "big-[a-z0-9]+-[a-z0-9]+" is forbidden: \[maximum cpu usage per Container is 1, but limit is 2, /,
    );
  });

  test('a quota that demands requests and limits takes the defaulted pods', async () => {
    await ok(['-n', 'lr', 'create', 'quota', 'compute', '--hard=requests.cpu=250m,limits.memory=1Gi']);
    await waitFor(
      async () => (await ok(['-n', 'lr', 'get', 'quota', 'compute', '-o', 'jsonpath={.status.hard}'])).stdout,
      { message: 'the quota controller filled in status.hard' },
    );
    await ok(['-n', 'lr', 'run', 'second', '--image=busybox', '--restart=Never']);
    const third = await s.kubectl(['-n', 'lr', 'run', 'third', '--image=busybox', '--restart=Never']);
    assert.equal(third.code, 1);
    assert.equal(
      third.stderr.trim(),
      'Error from server (Forbidden): pods "third" is forbidden: exceeded quota: compute, ' +
        'requested: requests.cpu=100m, used: requests.cpu=200m, limited: requests.cpu=250m',
    );
  });
});
