import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { containerConfig, containerResources, oomScoreAdj, securityContext } from './container-config.js';
import { CONTAINER_HASH_ANNOTATION, RESTART_COUNT_ANNOTATION } from './labels.js';
import { dnsConfig, sandboxConfig } from './sandbox-config.js';
import { parseResolvConf } from './resolv-conf.js';

const GiB = 1024 ** 3;

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', labels: { app: 'web' }, annotations: { a: 'b' } },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  };
}

void test('sandbox config: metadata, labels, log dir, namespaces, ports, pod limits', () => {
  const p = pod({
    containers: [
      {
        name: 'a',
        ports: [
          { containerPort: 80, hostPort: 8080 },
          { containerPort: 53, protocol: 'UDP' },
        ],
        resources: { limits: { cpu: '500m', memory: '64Mi' } },
      },
      { name: 'b', resources: { limits: { cpu: '1', memory: '64Mi' } } },
    ],
    shareProcessNamespace: true,
    hostAliases: [{ ip: '10.0.0.1', hostnames: ['db'] }],
  });
  const c = sandboxConfig(p, 2, { rootDir: '/data' });
  assert.deepEqual(c.metadata, { name: 'web', uid: 'u1', namespace: 'shop', attempt: 2 });
  assert.equal(c.hostname, 'web');
  assert.equal(c.logDirectory, '/data/logs/pods/shop_web_u1');
  assert.equal(c.labels['io.kubernetes.pod.uid'], 'u1');
  assert.equal(c.labels.app, 'web');
  assert.deepEqual(c.annotations, { a: 'b' });
  assert.deepEqual(c.portMappings, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080 }]);
  assert.deepEqual(c.linux.namespaceOptions, { network: 'pod', pid: 'pod', ipc: 'pod' });
  assert.deepEqual(c.linux.resources, {
    cpuPeriod: 100000,
    cpuQuota: 150000,
    memoryLimitInBytes: 128 * 1024 * 1024,
  });
  assert.equal(c.linux.cgroupParent, 'tugboat/podu1');
  // With a RuntimeClass's overhead, a sidecar and an init container: totals as upstream's PodLimits.
  const withOverhead = sandboxConfig(
    pod({
      containers: [{ name: 'app', resources: { limits: { cpu: '500m', memory: '64Mi' } } }],
      initContainers: [
        { name: 'proxy', restartPolicy: 'Always', resources: { limits: { cpu: '100m', memory: '32Mi' } } },
        { name: 'migrate', resources: { limits: { cpu: '2', memory: '16Mi' } } },
      ],
      overhead: { cpu: '250m', memory: '120Mi' },
    }),
    0,
    { rootDir: '/d' },
  );
  assert.deepEqual(withOverhead.linux.resources, {
    cpuPeriod: 100000,
    cpuQuota: 235000,
    memoryLimitInBytes: (64 + 32 + 120) * 1024 * 1024,
  });
  const unlimitedInit = sandboxConfig(
    pod({
      containers: [{ name: 'app', resources: { limits: { cpu: '1', memory: '64Mi' } } }],
      initContainers: [{ name: 'setup', resources: { limits: { memory: '16Mi' } } }],
    }),
    0,
    { rootDir: '/d' },
  );
  assert.deepEqual(
    unlimitedInit.linux.resources,
    { memoryLimitInBytes: 64 * 1024 * 1024 },
    'no cpu limit on one',
  );
  assert.deepEqual(c.hostAliases, [{ ip: '10.0.0.1', hostnames: ['db'] }]);
  const host = sandboxConfig(pod({ hostNetwork: true, hostPID: true, hostIPC: true }), 0, { rootDir: '/d' });
  assert.deepEqual(host.linux.namespaceOptions, { network: 'node', pid: 'node', ipc: 'node' });
  assert.equal(host.linux.resources, undefined);
});

void test('DNS policies', () => {
  const cluster = { servers: ['10.43.0.10'], domain: 'cluster.local' };
  const host = parseResolvConf('nameserver 192.0.2.53\nsearch example.com\noptions edns0\n');
  assert.deepEqual(dnsConfig(pod(), cluster, host), {
    servers: ['10.43.0.10'],
    searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'example.com'],
    options: ['ndots:5'],
  });
  assert.deepEqual(dnsConfig(pod({ dnsPolicy: 'Default' }), cluster, host), host);
  assert.deepEqual(dnsConfig(pod({ hostNetwork: true }), cluster, host), host);
  assert.equal(
    dnsConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), cluster, host)?.servers[0],
    '10.43.0.10',
  );
  assert.deepEqual(
    dnsConfig(
      pod({
        dnsPolicy: 'None',
        dnsConfig: {
          nameservers: ['1.1.1.1'],
          searches: ['x'],
          options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }],
        },
      }),
      cluster,
      host,
    ),
    { servers: ['1.1.1.1'], searches: ['x'], options: ['ndots:2', 'rotate'] },
  );
  // Without cluster DNS, ClusterFirst falls back to the host's resolver.
  assert.deepEqual(dnsConfig(pod(), undefined, host), host);
});

void test('container resources: shares, quota, memory, OOM score by QoS', () => {
  const burst = pod({
    containers: [
      { name: 'c', resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '500m' } } },
    ],
  });
  const r = containerResources(burst, burst.spec!.containers[0]!, 4 * GiB);
  assert.deepEqual(r, { cpuShares: 256, cpuPeriod: 100000, cpuQuota: 50000, oomScoreAdj: 750 });
  const best = pod();
  assert.deepEqual(containerResources(best, best.spec!.containers[0]!, 4 * GiB), {
    cpuShares: 2,
    oomScoreAdj: 1000,
  });
  const guaranteed = pod({
    // As stored: pod defaulting copies limits to the requests left unset.
    containers: [
      {
        name: 'c',
        resources: { limits: { cpu: '1', memory: '128Mi' }, requests: { cpu: '1', memory: '128Mi' } },
      },
    ],
  });
  assert.equal(oomScoreAdj(guaranteed, guaranteed.spec!.containers[0]!, 4 * GiB), -997);
  assert.equal(
    containerResources(guaranteed, guaranteed.spec!.containers[0]!, GiB).memoryLimitInBytes,
    128 * 1024 * 1024,
  );
});

void test('security context: container settings win over the pod, noNewPrivs from allowPrivilegeEscalation', () => {
  const p = pod({
    securityContext: {
      runAsUser: 1000,
      runAsGroup: 1000,
      runAsNonRoot: true,
      supplementalGroups: [5],
      fsGroup: 2000,
    },
    containers: [
      {
        name: 'c',
        securityContext: {
          runAsUser: 1001,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
        },
      },
    ],
  });
  assert.deepEqual(securityContext(p, p.spec!.containers[0]!, '/agent/seccomp'), {
    privileged: false,
    namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' },
    readonlyRootfs: true,
    supplementalGroups: [5, 2000],
    noNewPrivs: true,
    runAsUser: 1001,
    runAsGroup: 1000,
    runAsNonRoot: true,
    capabilities: { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] },
  });
});

void test("seccompProfile: the container's wins over the pod's; Localhost profiles live under the seccomp root", () => {
  const p = pod({
    securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      { name: 'a' },
      { name: 'b', securityContext: { seccompProfile: { type: 'Unconfined' } } },
      {
        name: 'c',
        securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p/deny.json' } },
      },
    ],
  });
  const profile = (i: number) => securityContext(p, p.spec!.containers[i]!, '/agent/seccomp').seccomp;
  assert.deepEqual(profile(0), { profileType: 'RuntimeDefault' });
  assert.deepEqual(profile(1), { profileType: 'Unconfined' });
  assert.deepEqual(profile(2), { profileType: 'Localhost', localhostRef: '/agent/seccomp/p/deny.json' });
  assert.equal(securityContext(pod({}), { name: 'x' }, '/s').seccomp, undefined);
});

void test('container config carries labels, hash and restart count annotations, log path', () => {
  const p = pod({ containers: [{ name: 'c', image: 'busybox', workingDir: '/w', tty: true, stdin: true }] });
  const c = containerConfig({
    pod: p,
    container: p.spec!.containers[0]!,
    restartCount: 3,
    image: { image: 'busybox', imageRef: 'sha256:1234' },
    env: [{ key: 'A', value: '1' }],
    command: ['sh'],
    args: [],
    mounts: [],
    memoryCapacity: GiB,
    seccompProfileRoot: '/agent/seccomp',
  });
  assert.deepEqual(c.metadata, { name: 'c', attempt: 3 });
  assert.deepEqual(c.image, { image: 'sha256:1234', userSpecifiedImage: 'busybox' });
  assert.equal(c.logPath, 'c/3.log');
  assert.equal(c.annotations[RESTART_COUNT_ANNOTATION], '3');
  assert.match(c.annotations[CONTAINER_HASH_ANNOTATION]!, /^[0-9a-f]{8}$/);
  assert.equal(c.labels['io.kubernetes.container.name'], 'c');
  assert.equal(c.workingDir, '/w');
  assert.equal(c.tty, true);
  assert.equal(c.stdin, true);
});
