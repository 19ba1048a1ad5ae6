import { testCheck, container } from './testing/check-cases.js';
import { appArmorProfileV1Dot0 } from './apparmor.js';

const prefix = 'container.apparmor.security.beta.kubernetes.io/';

testCheck('appArmorProfile', appArmorProfileV1Dot0, [
  {
    name: 'allowed annotations and fields',
    meta: { annotations: { [`${prefix}a`]: 'runtime/default', [`${prefix}b`]: 'localhost/p', env: 'prod' } },
    spec: {
      securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
      containers: [container('a', { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } })],
    },
  },
  {
    name: 'unconfined pod',
    spec: { securityContext: { appArmorProfile: { type: 'Unconfined' } } },
    reason: 'forbidden AppArmor profile',
    detail: 'pod must not set AppArmor profile type to "Unconfined"',
  },
  {
    name: 'unconfined container',
    spec: {
      securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
      containers: [container('foo', { appArmorProfile: { type: 'Unconfined' } })],
    },
    reason: 'forbidden AppArmor profile',
    detail: 'container "foo" must not set AppArmor profile type to "Unconfined"',
  },
  {
    name: 'unconfined init container',
    spec: {
      containers: [container('foo')],
      initContainers: [container('bar', { appArmorProfile: { type: 'Unconfined' } })],
    },
    reason: 'forbidden AppArmor profile',
    detail: 'container "bar" must not set AppArmor profile type to "Unconfined"',
  },
  {
    name: 'annotations',
    meta: {
      annotations: {
        [prefix]: 'bogus',
        [`${prefix}a`]: '',
        [`${prefix}b`]: 'runtime/default',
        [`${prefix}c`]: 'localhost/',
        [`${prefix}d`]: 'localhost/foo',
        [`${prefix}e`]: 'unconfined',
        [`${prefix}f`]: 'unknown',
      },
    },
    spec: {},
    reason: 'forbidden AppArmor profiles',
    detail:
      'annotations must not set AppArmor profile type to ' +
      [`"${prefix}="bogus""`, `"${prefix}e="unconfined""`, `"${prefix}f="unknown""`].join(', '),
  },
  {
    name: 'pod, containers and an annotation',
    meta: { annotations: { [`${prefix}b`]: 'unconfined' } },
    spec: {
      securityContext: { appArmorProfile: { type: 'Unconfined' } },
      containers: [
        container('a', { appArmorProfile: { type: 'Unconfined' } }),
        container('b', { appArmorProfile: { type: 'Bogus' } }),
      ],
    },
    reason: 'forbidden AppArmor profiles',
    detail: `pod and containers "a", "b" and annotation must not set AppArmor profile type to "Bogus", "Unconfined", "${prefix}b="unconfined""`,
  },
]);
