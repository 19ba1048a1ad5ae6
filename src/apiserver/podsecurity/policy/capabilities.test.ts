import { testCheck, container } from './testing/check-cases.js';
import {
  capabilitiesBaselineV1Dot0,
  capabilitiesRestrictedV1Dot22,
  capabilitiesRestrictedV1Dot25,
} from './capabilities.js';

testCheck('capabilities_baseline', capabilitiesBaselineV1Dot0, [
  {
    name: 'default capabilities',
    spec: {
      containers: [container('a', { capabilities: { add: ['CHOWN', 'NET_BIND_SERVICE'], drop: ['ALL'] } })],
    },
  },
  {
    name: 'multiple containers',
    spec: {
      containers: [
        container('a', { capabilities: { add: ['FOO', 'BAR'] } }),
        container('b', { capabilities: { add: ['BAR', 'BAZ'] } }),
        container('c', { capabilities: { add: ['CHOWN'] } }),
      ],
    },
    reason: 'non-default capabilities',
    detail: 'containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add',
  },
  {
    name: 'one container',
    spec: { containers: [container('a', { capabilities: { add: ['NET_RAW'] } })] },
    reason: 'non-default capabilities',
    detail: 'container "a" must not include "NET_RAW" in securityContext.capabilities.add',
  },
]);

const restrictedCases = [
  {
    name: 'drop ALL, add NET_BIND_SERVICE',
    spec: { containers: [container('a', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })] },
  },
  {
    name: 'multiple containers',
    spec: {
      containers: [
        container('a', { capabilities: { add: ['FOO', 'BAR'] } }),
        container('b', { capabilities: { add: ['BAR', 'BAZ'] } }),
        container('c', { capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'], drop: ['ALL', 'FOO'] } }),
      ],
    },
    reason: 'unrestricted capabilities',
    detail:
      'containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; ' +
      'containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add',
  },
  {
    name: 'no security context',
    spec: { containers: [container('a')] },
    reason: 'unrestricted capabilities',
    detail: 'container "a" must set securityContext.capabilities.drop=["ALL"]',
  },
];

testCheck('capabilities_restricted v1.22', capabilitiesRestrictedV1Dot22, [
  ...restrictedCases,
  {
    name: 'windows pod is not exempt before v1.25',
    spec: { os: { name: 'windows' }, containers: [container('a')] },
    reason: 'unrestricted capabilities',
    detail: 'container "a" must set securityContext.capabilities.drop=["ALL"]',
  },
]);

testCheck('capabilities_restricted v1.25', capabilitiesRestrictedV1Dot25, [
  ...restrictedCases,
  { name: 'windows pod', spec: { os: { name: 'windows' }, containers: [container('a')] } },
]);
