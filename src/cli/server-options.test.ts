import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, UsageError, type CliIo } from './command.js';
import { resolveServerOptions, serverFlags, type ServerOptions } from './server-options.js';

function io(uid: number, env: NodeJS.ProcessEnv = {}): CliIo {
  return {
    stdout: () => {},
    stderr: () => {},
    env,
    uid,
    home: '/home/jo',
    cwd: '/srv/here',
    hostname: 'Box-1',
  };
}

function resolve(args: string[], cliIo = io(1000)): ServerOptions {
  return resolveServerOptions(parseFlags('server', serverFlags, args), cliIo);
}

void test('defaults for a normal user live under ~/.tugboat', () => {
  assert.deepEqual(resolve([]), {
    dataDir: '/home/jo/.tugboat',
    bindAddress: '0.0.0.0',
    httpsListenPort: 6443,
    tlsSan: [],
    writeKubeconfig: '/home/jo/.tugboat/kubeconfig.yaml',
    datastoreEndpoint: 'sqlite:///home/jo/.tugboat/db/state.db',
    serviceCidr: '10.43.0.0/16',
    clusterCidr: '10.42.0.0/16',
    flannelBackend: 'vxlan',
    clusterDns: [],
    clusterDomain: 'cluster.local',
    secretsEncryption: false,
    encryptionConfigAutomaticReload: false,
    disableAgent: false,
    disableKubeProxy: false,
    disableServiceLb: false,
    disableLocalStorage: false,
    disableIngress: false,
    ingressHttpPort: 80,
    ingressHttpsPort: 443,
    disableNetworkPolicy: false,
    nodeName: 'box-1',
    containerRuntime: 'auto',
    kubeletPort: 10250,
    proxyHealthzAddress: { host: '0.0.0.0', port: 10256 },
    imageGcHighThresholdPercent: 85,
    imageGcLowThresholdPercent: 80,
    containerLogMaxSizeBytes: 10 * 1024 * 1024,
    containerLogMaxFiles: 5,
    disableControllerManager: false,
    disableScheduler: false,
    nodeDisruption: {},
    logLevel: 'info',
  });
});

void test('root defaults to /var/lib/tugboat', () => {
  const opts = resolve([], io(0));
  assert.equal(opts.dataDir, '/var/lib/tugboat');
  assert.equal(opts.writeKubeconfig, '/var/lib/tugboat/kubeconfig.yaml');
  assert.equal(opts.datastoreEndpoint, 'sqlite:///var/lib/tugboat/db/state.db');
});

void test('flags override defaults; relative paths resolve against the working folder', () => {
  const opts = resolve([
    '--data-dir=data',
    '--bind-address',
    '127.0.0.1',
    '--https-listen-port',
    '0',
    '-o',
    'kc.yaml',
    '--datastore-endpoint',
    'etcd://127.0.0.1:2379',
    '--service-cidr',
    '10.96.7.9/12',
    '--token-file',
    'tokens.csv',
    '--tls-san',
    'api.example.com,10.0.0.5',
    '--tls-san',
    'other',
    '--advertise-address',
    '192.0.2.1',
    '--disable-agent',
    '--disable-kube-proxy',
    '--disable-servicelb',
    '--disable-local-storage',
    '--disable-network-policy',
    '--disable-ingress',
    '--ingress-http-port',
    '8080',
    '--ingress-https-port',
    '0',
    '--log-level',
    'debug',
    '--secrets-encryption',
    '--encryption-provider-config-automatic-reload',
    '--encryption-provider-config',
    'enc.yaml',
    '--flannel-backend',
    'host-gw',
    '--admission-control-config-file',
    'adm.yaml',
  ]);
  assert.deepEqual(opts, {
    dataDir: '/srv/here/data',
    bindAddress: '127.0.0.1',
    httpsListenPort: 0,
    tlsSan: ['api.example.com', '10.0.0.5', 'other'],
    writeKubeconfig: '/srv/here/kc.yaml',
    datastoreEndpoint: 'etcd://127.0.0.1:2379',
    serviceCidr: '10.96.0.0/12',
    clusterCidr: '10.42.0.0/16',
    flannelBackend: 'host-gw',
    clusterDns: [],
    clusterDomain: 'cluster.local',
    secretsEncryption: true,
    encryptionConfigAutomaticReload: true,
    disableAgent: true,
    disableKubeProxy: true,
    disableServiceLb: true,
    disableLocalStorage: true,
    disableNetworkPolicy: true,
    disableIngress: true,
    ingressHttpPort: 8080,
    ingressHttpsPort: 0,
    nodeName: 'box-1',
    containerRuntime: 'auto',
    kubeletPort: 10250,
    proxyHealthzAddress: { host: '0.0.0.0', port: 10256 },
    imageGcHighThresholdPercent: 85,
    imageGcLowThresholdPercent: 80,
    containerLogMaxSizeBytes: 10 * 1024 * 1024,
    containerLogMaxFiles: 5,
    disableControllerManager: false,
    disableScheduler: false,
    nodeDisruption: {},
    logLevel: 'debug',
    advertiseAddress: '192.0.2.1',
    tokenFile: '/srv/here/tokens.csv',
    encryptionProviderConfig: '/srv/here/enc.yaml',
    admissionControlConfigFile: '/srv/here/adm.yaml',
  });
});

void test('the log level defaults to $TUGBOAT_LOG_LEVEL', () => {
  assert.equal(resolve([], io(5, { TUGBOAT_LOG_LEVEL: 'warn' })).logLevel, 'warn');
});

void test('bad values are usage errors naming the flag', () => {
  const bad: [string[], string][] = [
    [['--https-listen-port', '-1'], 'https-listen-port'],
    [['--https-listen-port', '1e3'], 'https-listen-port'],
    [['--ingress-http-port', '65536'], 'ingress-http-port'],
    [['--ingress-https-port', 'https'], 'ingress-https-port'],
    [['--service-cidr', '10.43.0.0/31'], 'service-cidr'],
    [['--service-cidr', 'fd00::/64'], 'service-cidr'],
    [['--service-cidr', '10.43.0.0/16,fd00::/108'], 'service-cidr'],
    [['--service-cidr', '300.1.0.0/16'], 'service-cidr'],
    [['--datastore-endpoint', 'mysql://x'], 'datastore-endpoint'],
    [['--datastore-endpoint', '/var/db/state.db'], 'datastore-endpoint'],
    [['--advertise-address', 'host'], 'advertise-address'],
    [['--tls-san', 'bad name'], 'tls-san'],
    [['--data-dir', ''], 'data-dir'],
    [['--horizontal-pod-autoscaler-sync-period', '0'], 'horizontal-pod-autoscaler-sync-period'],
    [['--horizontal-pod-autoscaler-sync-period', '1.5'], 'horizontal-pod-autoscaler-sync-period'],
    [['--metric-resolution', '0'], 'metric-resolution'],
    [['--metric-resolution', '15s'], 'metric-resolution'],
    [['--event-ttl', '5'], 'event-ttl'],
    [['--event-ttl', '500ms'], 'event-ttl'],
    [['--node-eviction-rate', '-1'], 'node-eviction-rate'],
    [['--secondary-node-eviction-rate', 'fast'], 'secondary-node-eviction-rate'],
    [['--large-cluster-size-threshold', '2.5'], 'large-cluster-size-threshold'],
    [['--unhealthy-zone-threshold', '0'], 'unhealthy-zone-threshold'],
    [['--unhealthy-zone-threshold', '1.5'], 'unhealthy-zone-threshold'],
    [['--api-workers', 'auto'], 'api-workers'],
    [['--api-workers', '-1'], 'api-workers'],
    [['--flannel-backend', 'wireguard-native'], 'flannel-backend'],
    [['--admission-control-config-file', ''], 'admission-control-config-file'],
    [['--audit-log-format', 'yaml'], 'audit-log-format'],
    [['--audit-log-mode', 'async'], 'audit-log-mode'],
    [['--audit-log-maxsize', '1.5'], 'audit-log-maxsize'],
    [['--audit-log-maxbackup', '-1'], 'audit-log-maxbackup'],
    [['--audit-policy-file', ''], 'audit-policy-file'],
    [['--audit-webhook-config-file', ''], 'audit-webhook-config-file'],
    [['--audit-webhook-mode', 'sometimes'], 'audit-webhook-mode'],
    [['--audit-webhook-batch-max-size', '0'], 'audit-webhook-batch-max-size'],
    [['--audit-webhook-batch-max-wait', 'soon'], 'audit-webhook-batch-max-wait'],
    [['--audit-webhook-initial-backoff', '10'], 'audit-webhook-initial-backoff'],
    [['--flannel-backend', 'VXLAN'], 'flannel-backend'],
    [['--cluster-cidr', 'fd00:42::/48', '--flannel-backend', 'vxlan'], 'flannel-backend'],
  ];
  for (const [args, flag] of bad) {
    assert.throws(
      () => resolve(args),
      (err: unknown) => err instanceof UsageError && err.message.includes(`--${flag}`),
      args.join(' '),
    );
  }
  assert.equal(resolve(['--service-cidr', 'fd00:43::/112']).serviceCidr, 'fd00:43::/112');
});

void test('--flannel-backend: vxlan by default, host-gw for IPv6 pods, none leaves routing to the user', () => {
  assert.equal(resolve([]).flannelBackend, 'vxlan');
  assert.equal(resolve(['--cluster-cidr', 'fd00:42::/48']).flannelBackend, 'host-gw');
  assert.equal(resolve(['--flannel-backend', 'none']).flannelBackend, 'none');
  assert.throws(
    () => resolve(['--flannel-backend', 'ipsec']),
    /not supported by Tugboat; must be one of vxlan, host-gw, none/,
  );
});

void test('--event-ttl takes a Go duration', () => {
  assert.equal(resolve(['--event-ttl', '30m']).eventTtlMs, 30 * 60_000);
  assert.equal(resolve(['--event-ttl=1h30m']).eventTtlMs, 90 * 60_000);
  assert.equal(resolve([]).eventTtlMs, undefined);
});

void test('--api-workers takes a number of processes; none by default', () => {
  assert.equal(resolve(['--api-workers', '2']).apiWorkers, 2);
  assert.equal(resolve([]).apiWorkers, undefined);
});

void test('zone disruption tunables reach the node lifecycle controller under its option names', () => {
  const opts = resolve([
    '--node-eviction-rate',
    '1',
    '--secondary-node-eviction-rate=0.5',
    '--large-cluster-size-threshold',
    '10',
    '--unhealthy-zone-threshold',
    '0.7',
  ]);
  assert.deepEqual(opts.nodeDisruption, {
    nodeEvictionRate: 1,
    secondaryNodeEvictionRate: 0.5,
    largeClusterSizeThreshold: 10,
    unhealthyZoneThreshold: 0.7,
  });
});

void test('the HPA sync period and metric resolution are whole seconds, unset by default', () => {
  const opts = resolve(['--horizontal-pod-autoscaler-sync-period', '2', '--metric-resolution=3']);
  assert.equal(opts.hpaSyncPeriodSeconds, 2);
  assert.equal(opts.metricResolutionSeconds, 3);
  assert.equal(resolve([]).hpaSyncPeriodSeconds, undefined);
  assert.equal(resolve([]).metricResolutionSeconds, undefined);
});

void test('--cluster-cidr is normalized and must leave room for node subnets', () => {
  assert.equal(resolve(['--cluster-cidr', '10.244.7.9/16']).clusterCidr, '10.244.0.0/16');
  assert.equal(resolve(['--cluster-cidr', 'fd00:42::/48']).clusterCidr, 'fd00:42::/48');
  for (const bad of ['10.42.0.0/25', 'nonsense', 'fd00::/80']) {
    assert.throws(
      () => resolve(['--cluster-cidr', bad]),
      (err) => err instanceof UsageError && /cluster-cidr/.test(err.message),
    );
  }
});

void test('--node-name and --container-runtime', () => {
  const opts = resolve(['--node-name', 'edge-7', '--container-runtime', 'process']);
  assert.equal(opts.nodeName, 'edge-7');
  assert.equal(opts.containerRuntime, 'process');
  for (const [args, flag] of [
    [['--node-name', 'Not_Valid'], 'node-name'],
    [['--container-runtime', 'docker'], 'container-runtime'],
  ] as const) {
    assert.throws(
      () => resolve([...args]),
      (err) => err instanceof UsageError && err.message.includes(flag),
    );
  }
});

void test('--kubelet-port', () => {
  assert.equal(resolve(['--kubelet-port', '0']).kubeletPort, 0);
  assert.equal(resolve(['--kubelet-port', '11250']).kubeletPort, 11250);
  for (const bad of ['-1', '70000', 'x'])
    assert.throws(
      () => resolve(['--kubelet-port', bad]),
      (err) => err instanceof UsageError && /kubelet-port/.test(err.message),
    );
});

void test('--kube-proxy-healthz-bind-address', () => {
  assert.deepEqual(resolve([]).proxyHealthzAddress, { host: '0.0.0.0', port: 10256 });
  assert.deepEqual(resolve(['--kube-proxy-healthz-bind-address', '127.0.0.1:0']).proxyHealthzAddress, {
    host: '127.0.0.1',
    port: 0,
  });
  assert.deepEqual(resolve(['--kube-proxy-healthz-bind-address', '[::]:10256']).proxyHealthzAddress, {
    host: '::',
    port: 10256,
  });
  assert.equal(resolve(['--kube-proxy-healthz-bind-address=']).proxyHealthzAddress, undefined);
  for (const bad of ['10256', 'localhost:10256', '1.2.3.4:70000', '999.1.1.1:10256'])
    assert.throws(
      () => resolve(['--kube-proxy-healthz-bind-address', bad]),
      (err) => err instanceof UsageError && /kube-proxy-healthz-bind-address.*IP:PORT/.test(err.message),
      bad,
    );
});

void test('--eviction-soft, --eviction-soft-grace-period and --eviction-max-pod-grace-period', () => {
  const d = resolve([]);
  assert.equal(d.evictionSoft, undefined);
  assert.equal(d.evictionMaxPodGracePeriodSeconds, undefined);
  const o = resolve([
    '--eviction-soft=memory.available<1.5Gi',
    '--eviction-soft-grace-period=memory.available=1m30s',
    '--eviction-max-pod-grace-period=-1',
  ]);
  assert.deepEqual(o.evictionSoft, {
    thresholds: { 'memory.available': { quantity: 1.5 * 1024 ** 3 } },
    gracePeriodsMs: { 'memory.available': 90_000 },
  });
  assert.equal(o.evictionMaxPodGracePeriodSeconds, -1);
  for (const [args, pattern] of [
    [
      ['--eviction-soft=memory.available<1Gi'],
      /--eviction-soft-grace-period.*grace period must be specified/,
    ],
    [['--eviction-soft=memory.free<1Gi'], /--eviction-soft\b.*unsupported eviction signal memory\.free/],
    [['--eviction-max-pod-grace-period=soon'], /--eviction-max-pod-grace-period.*whole number of seconds/],
  ] as const) {
    assert.throws(
      () => resolve([...args]),
      (err) => err instanceof UsageError && pattern.test(err.message),
      args.join(' '),
    );
  }
});

void test('--image-gc-high-threshold and --image-gc-low-threshold', () => {
  const d = resolve([]);
  assert.deepEqual([d.imageGcHighThresholdPercent, d.imageGcLowThresholdPercent], [85, 80]);
  const o = resolve(['--image-gc-high-threshold', '70', '--image-gc-low-threshold=50']);
  assert.deepEqual([o.imageGcHighThresholdPercent, o.imageGcLowThresholdPercent], [70, 50]);
  for (const [args, flag] of [
    [['--image-gc-high-threshold', '101'], 'image-gc-high-threshold'],
    [['--image-gc-low-threshold', 'x'], 'image-gc-low-threshold'],
    [['--image-gc-low-threshold', '90'], 'image-gc-low-threshold'],
  ] as const)
    assert.throws(
      () => resolve([...args]),
      (err) => err instanceof UsageError && err.message.includes(flag),
    );
});

void test('--container-log-max-size and --container-log-max-files', () => {
  const o = resolve(['--container-log-max-size', '1Mi', '--container-log-max-files=3']);
  assert.deepEqual([o.containerLogMaxSizeBytes, o.containerLogMaxFiles], [1024 * 1024, 3]);
  for (const [args, flag] of [
    [['--container-log-max-size', 'lots'], 'container-log-max-size'],
    [['--container-log-max-size', '0'], 'container-log-max-size'],
    [['--container-log-max-files', '1'], 'container-log-max-files'],
  ] as const)
    assert.throws(
      () => resolve([...args]),
      (err) => err instanceof UsageError && err.message.includes(flag),
    );
});

void test('--cluster-dns takes IP addresses; --cluster-domain a DNS domain', () => {
  assert.deepEqual(resolve(['--cluster-dns', '10.43.0.10']).clusterDns, ['10.43.0.10']);
  assert.deepEqual(resolve(['--cluster-dns', '10.43.0.10,fd00::a']).clusterDns, ['10.43.0.10', 'fd00::a']);
  assert.equal(resolve(['--cluster-domain', 'Tugboat.Internal.']).clusterDomain, 'tugboat.internal');
  for (const [flag, bad] of [
    ['--cluster-dns', 'dns.example.com'],
    ['--cluster-dns', ''],
    ['--cluster-domain', 'under_score.local'],
    ['--cluster-domain', ''],
  ] as const) {
    assert.throws(
      () => resolve([flag, bad]),
      (err) => err instanceof UsageError && err.message.includes(flag),
    );
  }
});

void test('audit flags: both a policy and a log path audit; either alone audits nothing, as kube-apiserver', () => {
  assert.equal(resolve([]).audit, undefined);
  assert.equal(resolve(['--audit-policy-file', 'p.yaml']).audit, undefined);
  assert.equal(resolve(['--audit-log-path', 'audit.log']).audit, undefined);
  assert.deepEqual(resolve(['--audit-policy-file', 'p.yaml', '--audit-log-path', 'logs/audit.log']).audit, {
    policyFile: '/srv/here/p.yaml',
    log: {
      path: '/srv/here/logs/audit.log',
      format: 'json',
      maxAgeDays: 0,
      maxBackups: 0,
      maxSizeMb: 0,
      compress: false,
    },
  });
  assert.deepEqual(
    resolve(['--audit-policy-file', 'p.yaml', '--audit-webhook-config-file', 'hook.yaml']).audit,
    {
      policyFile: '/srv/here/p.yaml',
      webhook: {
        configFile: '/srv/here/hook.yaml',
        mode: 'batch',
        batchMaxSize: 400,
        batchMaxWaitMs: 30_000,
        bufferSize: 10_000,
        initialBackoffMs: 10_000,
      },
    },
  );
  assert.deepEqual(
    resolve([
      '--audit-policy-file',
      'p.yaml',
      '--audit-webhook-config-file',
      'hook.yaml',
      '--audit-webhook-mode',
      'blocking',
      '--audit-webhook-batch-max-size',
      '10',
      '--audit-webhook-batch-max-wait',
      '2s',
      '--audit-webhook-batch-buffer-size',
      '50',
      '--audit-webhook-initial-backoff',
      '100ms',
    ]).audit?.webhook,
    {
      configFile: '/srv/here/hook.yaml',
      mode: 'blocking',
      batchMaxSize: 10,
      batchMaxWaitMs: 2000,
      bufferSize: 50,
      initialBackoffMs: 100,
    },
  );
  assert.deepEqual(
    resolve([
      '--audit-policy-file',
      '/etc/p.yaml',
      '--audit-log-path',
      '-',
      '--audit-log-format',
      'legacy',
      '--audit-log-maxage',
      '30',
      '--audit-log-maxbackup',
      '10',
      '--audit-log-maxsize',
      '100',
      '--audit-log-compress',
      '--audit-log-mode',
      'batch',
    ]).audit,
    {
      policyFile: '/etc/p.yaml',
      log: { path: '-', format: 'legacy', maxAgeDays: 30, maxBackups: 10, maxSizeMb: 100, compress: true },
    },
  );
});
