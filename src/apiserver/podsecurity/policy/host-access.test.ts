import { testCheck, container } from './testing/check-cases.js';
import { hostNamespacesV1Dot0, hostPortsV1Dot0, windowsHostProcessV1Dot0 } from './host-access.js';

testCheck('hostNamespaces', hostNamespacesV1Dot0, [
  { name: 'no host namespaces', spec: { hostNetwork: false, containers: [container('a')] } },
  {
    name: 'all host namespaces',
    spec: { hostNetwork: true, hostIPC: true, hostPID: true },
    reason: 'host namespaces',
    detail: 'hostNetwork=true, hostPID=true, hostIPC=true',
  },
  { name: 'host IPC only', spec: { hostIPC: true }, reason: 'host namespaces', detail: 'hostIPC=true' },
]);

testCheck('hostPorts', hostPortsV1Dot0, [
  {
    name: 'container ports only',
    spec: { containers: [container('a', undefined, { ports: [{ containerPort: 80 }] })] },
  },
  {
    name: 'one container, one host port',
    spec: {
      containers: [
        container('a', undefined, { ports: [{ containerPort: 80, hostPort: 0 }] }),
        container('b', undefined, {
          ports: [
            { containerPort: 80, hostPort: 0 },
            { containerPort: 81, hostPort: 20 },
          ],
        }),
      ],
    },
    reason: 'hostPort',
    detail: 'container "b" uses hostPort 20',
  },
  {
    name: 'multiple containers, multiple host ports',
    spec: {
      containers: [
        container('a', undefined, { ports: [{ containerPort: 1, hostPort: 0 }] }),
        container('b', undefined, {
          ports: [
            { containerPort: 1, hostPort: 0 },
            { containerPort: 2, hostPort: 10 },
            { containerPort: 3, hostPort: 20 },
          ],
        }),
        container('c', undefined, {
          ports: [
            { containerPort: 1, hostPort: 0 },
            { containerPort: 2, hostPort: 10 },
            { containerPort: 3, hostPort: 30 },
          ],
        }),
      ],
    },
    reason: 'hostPort',
    detail: 'containers "b", "c" use hostPorts 10, 20, 30',
  },
  {
    name: 'ports are listed as upstream sorts strings',
    spec: {
      initContainers: [container('init', undefined, { ports: [{ containerPort: 1, hostPort: 9 }] })],
      containers: [container('app', undefined, { ports: [{ containerPort: 1, hostPort: 8080 }] })],
    },
    reason: 'hostPort',
    detail: 'containers "init", "app" use hostPorts 8080, 9',
  },
]);

testCheck('windowsHostProcess', windowsHostProcessV1Dot0, [
  {
    name: 'hostProcess false',
    spec: {
      securityContext: { windowsOptions: { hostProcess: false } },
      containers: [container('a', { windowsOptions: { hostProcess: false } })],
    },
  },
  {
    name: 'pod and containers',
    spec: {
      securityContext: { windowsOptions: { hostProcess: true } },
      containers: [
        container('a', { windowsOptions: { hostProcess: true } }),
        container('b', { windowsOptions: {} }),
        container('c', { windowsOptions: { hostProcess: true } }),
      ],
    },
    reason: 'hostProcess',
    detail: 'pod and containers "a", "c" must not set securityContext.windowsOptions.hostProcess=true',
  },
  {
    name: 'one container',
    spec: { containers: [container('a', { windowsOptions: { hostProcess: true } })] },
    reason: 'hostProcess',
    detail: 'container "a" must not set securityContext.windowsOptions.hostProcess=true',
  },
]);
