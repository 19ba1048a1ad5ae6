import { testCheck, container } from './testing/check-cases.js';
import { runAsNonRootV1Dot0, runAsUserV1Dot23 } from './run-as.js';

testCheck('runAsNonRoot', runAsNonRootV1Dot0, [
  { name: 'pod level true', spec: { securityContext: { runAsNonRoot: true }, containers: [container('a')] } },
  {
    name: 'every container true',
    spec: { containers: [container('a', { runAsNonRoot: true }), container('b', { runAsNonRoot: true })] },
  },
  {
    name: 'no explicit runAsNonRoot',
    spec: { containers: [container('a')] },
    reason: 'runAsNonRoot != true',
    detail: 'pod or container "a" must set securityContext.runAsNonRoot=true',
  },
  {
    name: 'pod runAsNonRoot=false',
    spec: { securityContext: { runAsNonRoot: false }, containers: [container('a')] },
    reason: 'runAsNonRoot != true',
    detail: 'pod must not set securityContext.runAsNonRoot=false',
  },
  {
    name: 'containers runAsNonRoot=false',
    spec: {
      securityContext: { runAsNonRoot: true },
      containers: [
        container('a'),
        container('b', {}),
        container('c', { runAsNonRoot: false }),
        container('d', { runAsNonRoot: false }),
        container('e', { runAsNonRoot: true }),
      ],
    },
    reason: 'runAsNonRoot != true',
    detail: 'containers "c", "d" must not set securityContext.runAsNonRoot=false',
  },
  {
    name: 'pod and containers runAsNonRoot=false',
    spec: {
      securityContext: { runAsNonRoot: false },
      containers: [container('a'), container('c', { runAsNonRoot: false })],
    },
    reason: 'runAsNonRoot != true',
    detail: 'pod and container "c" must not set securityContext.runAsNonRoot=false',
  },
  {
    name: 'pod nil, container fallthrough',
    spec: { containers: [container('a'), container('b', {}), container('d', { runAsNonRoot: true })] },
    reason: 'runAsNonRoot != true',
    detail: 'pod or containers "a", "b" must set securityContext.runAsNonRoot=true',
  },
  {
    name: 'user namespace pods are not relaxed',
    spec: { hostUsers: false, containers: [container('a')] },
    reason: 'runAsNonRoot != true',
    detail: 'pod or container "a" must set securityContext.runAsNonRoot=true',
  },
]);

testCheck('runAsUser', runAsUserV1Dot23, [
  {
    name: 'non-zero or unset',
    spec: {
      securityContext: { runAsUser: 1000 },
      containers: [container('a'), container('b', { runAsUser: 1 })],
    },
  },
  {
    name: 'pod runAsUser=0',
    spec: { securityContext: { runAsUser: 0 }, containers: [container('a')] },
    reason: 'runAsUser=0',
    detail: 'pod must not set runAsUser=0',
  },
  {
    name: 'containers runAsUser=0',
    spec: {
      securityContext: { runAsUser: 1000 },
      containers: [
        container('a'),
        container('b', {}),
        container('c', { runAsUser: 0 }),
        container('d', { runAsUser: 0 }),
        container('e', { runAsUser: 1 }),
      ],
    },
    reason: 'runAsUser=0',
    detail: 'containers "c", "d" must not set runAsUser=0',
  },
  {
    name: 'pod and containers runAsUser=0',
    spec: {
      securityContext: { runAsUser: 0 },
      containers: [container('a', { runAsUser: 0 }), container('b', { runAsUser: 0 })],
    },
    reason: 'runAsUser=0',
    detail: 'pod and containers "a", "b" must not set runAsUser=0',
  },
]);
