/**
 * A pod spec that sets nearly every PodSpec field kubectl 1.32 knows, with pointer fields at zero values.
 * Shared by the round-trip test and the capture server (kubectl copies it verbatim in `create job --from`).
 */
const container = {
  name: 'app',
  image: 'registry.example.com/app:1.2.3',
  command: ['/bin/app'],
  args: ['--port=8080', '--verbose'],
  workingDir: '/srv',
  ports: [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'metrics', hostPort: 9090, containerPort: 9090, protocol: 'UDP', hostIP: '127.0.0.1' },
  ],
  envFrom: [
    { prefix: 'CFG_', configMapRef: { name: 'cfg', optional: true } },
    { secretRef: { name: 'sec' } },
  ],
  env: [
    { name: 'PLAIN', value: 'x' },
    { name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    {
      name: 'MEM',
      valueFrom: { resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
    },
    { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k', optional: false } } },
    { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
  ],
  resources: {
    limits: { cpu: '2', memory: '1Gi', 'nvidia.com/gpu': '1' },
    requests: { cpu: '250m', memory: '256Mi' },
    claims: [{ name: 'gpu', request: 'one' }],
  },
  resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }],
  volumeMounts: [
    { name: 'data', mountPath: '/data', subPath: 'app', mountPropagation: 'HostToContainer' },
    { name: 'secret', mountPath: '/etc/secret', readOnly: true, recursiveReadOnly: 'IfPossible' },
    { name: 'logs', mountPath: '/logs', subPathExpr: '$(POD)' },
  ],
  volumeDevices: [{ name: 'block', devicePath: '/dev/xvda' }],
  livenessProbe: {
    httpGet: {
      path: '/healthz',
      port: 8080,
      host: 'localhost',
      scheme: 'HTTPS',
      httpHeaders: [{ name: 'X-Probe', value: '1' }],
    },
    initialDelaySeconds: 3,
    timeoutSeconds: 2,
    periodSeconds: 5,
    successThreshold: 1,
    failureThreshold: 4,
    terminationGracePeriodSeconds: 0,
  },
  readinessProbe: { tcpSocket: { port: 'http', host: 'h' }, periodSeconds: 1 },
  startupProbe: { exec: { command: ['cat', '/ready'] }, failureThreshold: 30 },
  lifecycle: {
    postStart: { exec: { command: ['touch', '/started'] } },
    preStop: { sleep: { seconds: 5 } },
  },
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'FallbackToLogsOnError',
  imagePullPolicy: 'IfNotPresent',
  securityContext: {
    capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
    privileged: false,
    seLinuxOptions: { user: 'u', role: 'r', type: 't', level: 's0' },
    runAsUser: 0,
    runAsGroup: 3000,
    runAsNonRoot: false,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    procMount: 'Default',
    seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' },
    appArmorProfile: { type: 'RuntimeDefault' },
  },
  stdin: true,
  stdinOnce: true,
  tty: true,
};

export const SAMPLE_POD_SPEC = {
  volumes: [
    { name: 'data', persistentVolumeClaim: { claimName: 'data-pvc', readOnly: true } },
    {
      name: 'secret',
      secret: { secretName: 'sec', items: [{ key: 'a', path: 'a', mode: 256 }], defaultMode: 0 },
    },
    { name: 'cfg', configMap: { name: 'cfg', optional: true } },
    { name: 'logs', emptyDir: {} },
    { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
    { name: 'nfs', nfs: { server: 'nfs.example.com', path: '/exports', readOnly: true } },
    {
      name: 'dapi',
      downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
    },
    {
      name: 'proj',
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { audience: 'vault', expirationSeconds: 3600, path: 'token' } },
          { configMap: { name: 'cfg', items: [{ key: 'k', path: 'k' }] } },
          { secret: { name: 'sec', optional: false } },
          { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    },
    { name: 'csi', csi: { driver: 'csi.example.com', readOnly: true, volumeAttributes: { size: 'small' } } },
    {
      name: 'eph',
      ephemeral: {
        volumeClaimTemplate: {
          metadata: { labels: { type: 'scratch' } },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: 'fast',
            resources: { requests: { storage: '1Gi' } },
          },
        },
      },
    },
    { name: 'img', image: { reference: 'registry.example.com/data:1', pullPolicy: 'IfNotPresent' } },
  ],
  initContainers: [
    { name: 'init', image: 'busybox', command: ['sh', '-c', 'true'], restartPolicy: 'Always' },
  ],
  containers: [container],
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 0,
  activeDeadlineSeconds: 600,
  dnsPolicy: 'None',
  nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' },
  serviceAccountName: 'runner',
  serviceAccount: 'runner',
  automountServiceAccountToken: false,
  nodeName: 'node-1',
  hostNetwork: true,
  hostPID: true,
  hostIPC: true,
  shareProcessNamespace: true,
  securityContext: {
    runAsUser: 1000,
    runAsGroup: 1000,
    runAsNonRoot: true,
    supplementalGroups: [4000, 5000],
    supplementalGroupsPolicy: 'Strict',
    fsGroup: 2000,
    sysctls: [{ name: 'net.core.somaxconn', value: '1024' }],
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
    windowsOptions: { runAsUserName: 'ContainerUser', hostProcess: false },
  },
  imagePullSecrets: [{ name: 'regcred' }],
  hostname: 'web-0',
  subdomain: 'web',
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }],
            matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-9'] }],
          },
        ],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
      ],
    },
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: { matchLabels: { app: 'cache' } },
          topologyKey: 'kubernetes.io/hostname',
          namespaces: ['default'],
          namespaceSelector: {},
          matchLabelKeys: ['pod-template-hash'],
        },
      ],
    },
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
            topologyKey: 'topology.kubernetes.io/zone',
          },
        },
      ],
    },
  },
  schedulerName: 'default-scheduler',
  tolerations: [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
    { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
  ],
  hostAliases: [{ ip: '10.0.0.1', hostnames: ['db', 'db.local'] }],
  priorityClassName: 'high',
  priority: 0,
  dnsConfig: {
    nameservers: ['1.1.1.1'],
    searches: ['svc.cluster.local'],
    options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
  },
  readinessGates: [{ conditionType: 'example.com/ready' }],
  runtimeClassName: 'runc',
  enableServiceLinks: false,
  preemptionPolicy: 'Never',
  overhead: { cpu: '100m' },
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: 'zone',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app: 'web' } },
      minDomains: 2,
      nodeAffinityPolicy: 'Honor',
      nodeTaintsPolicy: 'Ignore',
      matchLabelKeys: ['pod-template-hash'],
    },
  ],
  setHostnameAsFQDN: false,
  os: { name: 'linux' },
  hostUsers: false,
  schedulingGates: [{ name: 'example.com/gate' }],
  resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'gpu-template' }],
  resources: { limits: { cpu: '4' } },
};
