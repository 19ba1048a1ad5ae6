import { testCheck, container } from './testing/check-cases.js';
import { procMountV1Dot0 } from './proc-mount.js';

testCheck('procMount', procMountV1Dot0, [
  {
    name: 'default or unset',
    spec: { containers: [container('a'), container('b', {}), container('c', { procMount: 'Default' })] },
  },
  {
    name: 'multiple containers',
    spec: {
      containers: [
        container('a'),
        container('b', {}),
        container('c', { procMount: 'Default' }),
        container('d', { procMount: 'Unmasked' }),
        container('e', { procMount: 'other' }),
      ],
    },
    reason: 'procMount',
    detail: 'containers "d", "e" must not set securityContext.procMount to "Unmasked", "other"',
  },
  {
    name: 'one container, even in a user namespace (the relaxation is not enabled)',
    spec: { hostUsers: false, containers: [container('a', { procMount: 'Unmasked' })] },
    reason: 'procMount',
    detail: 'container "a" must not set securityContext.procMount to "Unmasked"',
  },
]);
