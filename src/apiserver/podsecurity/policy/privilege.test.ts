import { testCheck, container } from './testing/check-cases.js';
import {
  allowPrivilegeEscalationV1Dot25,
  allowPrivilegeEscalationV1Dot8,
  privilegedV1Dot0,
} from './privilege.js';

testCheck('privileged', privilegedV1Dot0, [
  { name: 'not privileged', spec: { containers: [container('a'), container('b', { privileged: false })] } },
  {
    name: 'multiple containers',
    spec: {
      containers: [
        container('a'),
        container('b', { privileged: undefined }),
        container('c', { privileged: false }),
        container('d', { privileged: true }),
        container('e', { privileged: true }),
      ],
    },
    reason: 'privileged',
    detail: 'containers "d", "e" must not set securityContext.privileged=true',
  },
  {
    name: 'init and ephemeral containers',
    spec: {
      initContainers: [container('init', { privileged: true })],
      containers: [container('app')],
      ephemeralContainers: [{ name: 'debug', securityContext: { privileged: true } }],
    },
    reason: 'privileged',
    detail: 'containers "init", "debug" must not set securityContext.privileged=true',
  },
]);

const escalationCases = [
  { name: 'all false', spec: { containers: [container('a', { allowPrivilegeEscalation: false })] } },
  {
    name: 'multiple containers',
    spec: {
      containers: [
        container('a'),
        container('b', { allowPrivilegeEscalation: undefined }),
        container('c', { allowPrivilegeEscalation: true }),
        container('d', { allowPrivilegeEscalation: false }),
      ],
    },
    reason: 'allowPrivilegeEscalation != false',
    detail: 'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false',
  },
  {
    name: 'linux pod, reject if security context is not set',
    spec: { os: { name: 'linux' }, containers: [container('a')] },
    reason: 'allowPrivilegeEscalation != false',
    detail: 'container "a" must set securityContext.allowPrivilegeEscalation=false',
  },
];

testCheck('allowPrivilegeEscalation v1.8', allowPrivilegeEscalationV1Dot8, [
  ...escalationCases,
  {
    name: 'windows pod is not exempt before v1.25',
    spec: { os: { name: 'windows' }, containers: [container('a')] },
    reason: 'allowPrivilegeEscalation != false',
    detail: 'container "a" must set securityContext.allowPrivilegeEscalation=false',
  },
]);

testCheck('allowPrivilegeEscalation v1.25', allowPrivilegeEscalationV1Dot25, [
  ...escalationCases,
  { name: 'windows pod', spec: { os: { name: 'windows' }, containers: [container('a')] } },
]);
