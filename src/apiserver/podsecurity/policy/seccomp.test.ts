import { testCheck, container } from './testing/check-cases.js';
import {
  seccompProfileBaselineV1Dot0,
  seccompProfileBaselineV1Dot19,
  seccompProfileRestrictedV1Dot19,
  seccompProfileRestrictedV1Dot25,
} from './seccomp.js';

const threeContainers = { containers: [container('a'), container('b'), container('c')] };

testCheck('seccompProfile_baseline v1.0 (annotations)', seccompProfileBaselineV1Dot0, [
  {
    name: 'allowed annotations',
    meta: {
      annotations: {
        'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default',
        'container.seccomp.security.alpha.kubernetes.io/a': 'docker/default',
        'container.seccomp.security.alpha.kubernetes.io/b': 'localhost/profile.json',
      },
    },
    spec: threeContainers,
  },
  {
    name: 'pod seccomp invalid',
    meta: { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } },
    spec: {},
    reason: 'seccompProfile',
    detail: 'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"',
  },
  {
    name: 'pod and containers seccomp invalid',
    meta: {
      annotations: {
        'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
        'container.seccomp.security.alpha.kubernetes.io/a': 'unconfined',
        'container.seccomp.security.alpha.kubernetes.io/b': 'unknown',
        // Not a container of the pod: ignored.
        'container.seccomp.security.alpha.kubernetes.io/z': 'unconfined',
      },
    },
    spec: threeContainers,
    reason: 'seccompProfile',
    detail:
      'forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", ' +
      'container.seccomp.security.alpha.kubernetes.io/b="unknown", seccomp.security.alpha.kubernetes.io/pod="unconfined"',
  },
]);

const explicitCases = [
  {
    name: 'pod seccomp invalid',
    spec: { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [container('a')] },
    reason: 'seccompProfile',
    detail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"',
  },
  {
    name: 'containers seccomp invalid',
    spec: {
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        container('a'),
        container('b', {}),
        container('c', { seccompProfile: { type: 'Unconfined' } }),
        container('d', { seccompProfile: { type: 'Unconfined' } }),
        container('e', { seccompProfile: { type: 'RuntimeDefault' } }),
        container('f', { seccompProfile: { type: 'Localhost', localhostProfile: 'p' } }),
      ],
    },
    reason: 'seccompProfile',
    detail: 'containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
  },
  {
    name: 'pod and containers seccomp invalid',
    spec: {
      securityContext: { seccompProfile: { type: 'Unconfined' } },
      containers: [
        container('a'),
        container('c', { seccompProfile: { type: 'Unconfined' } }),
        container('d', { seccompProfile: { type: 'Bogus' } }),
      ],
    },
    reason: 'seccompProfile',
    detail:
      'pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Bogus", "Unconfined"',
  },
];

testCheck('seccompProfile_baseline v1.19', seccompProfileBaselineV1Dot19, [
  { name: 'unset is allowed', spec: { containers: [container('a')] } },
  ...explicitCases,
]);

const restrictedCases = [
  ...explicitCases,
  {
    name: 'pod-level RuntimeDefault',
    spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [container('a')] },
  },
  {
    name: 'no explicit seccomp',
    spec: { containers: [container('a')] },
    reason: 'seccompProfile',
    detail:
      'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
  },
  {
    name: 'pod nil, container fallthrough',
    spec: {
      containers: [
        container('a'),
        container('b', {}),
        container('d', { seccompProfile: { type: 'RuntimeDefault' } }),
        container('e', { seccompProfile: { type: 'RuntimeDefault' } }),
      ],
    },
    reason: 'seccompProfile',
    detail:
      'pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
  },
];

testCheck('seccompProfile_restricted v1.19', seccompProfileRestrictedV1Dot19, [
  ...restrictedCases,
  {
    name: 'windows pod is not exempt before v1.25',
    spec: { os: { name: 'windows' }, containers: [container('a')] },
    reason: 'seccompProfile',
    detail:
      'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
  },
]);

testCheck('seccompProfile_restricted v1.25', seccompProfileRestrictedV1Dot25, [
  ...restrictedCases,
  {
    name: 'no explicit seccomp, windows pod',
    spec: { os: { name: 'windows' }, containers: [container('a')] },
  },
  {
    name: 'no explicit seccomp, linux pod',
    spec: { os: { name: 'linux' }, containers: [container('a')] },
    reason: 'seccompProfile',
    detail:
      'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
  },
]);
