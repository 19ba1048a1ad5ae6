import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { testCheck, container } from './testing/check-cases.js';
import { seLinuxOptionsV1Dot0, seLinuxOptionsV1Dot31 } from './selinux.js';

const allowedContainers = [
  container('a', { seLinuxOptions: { type: 'container_t' } }),
  container('b', { seLinuxOptions: { type: 'container_init_t' } }),
  container('c', { seLinuxOptions: { type: 'container_kvm_t' } }),
  container('d', { seLinuxOptions: { type: 'container_engine_t' } }),
];
const badContainers = [
  container('e', { seLinuxOptions: { type: 'bar' } }),
  container('f', { seLinuxOptions: { user: 'bar' } }),
  container('g', { seLinuxOptions: { role: 'baz' } }),
];
const badPod: PodSpec['securityContext'] = { seLinuxOptions: { type: 'foo', user: 'bar', role: 'baz' } };

testCheck('seLinuxOptions v1.31', seLinuxOptionsV1Dot31, [
  {
    name: 'allowed types, level set',
    spec: { containers: allowedContainers, securityContext: { seLinuxOptions: { level: 's0:c1' } } },
  },
  {
    name: 'invalid pod and containers',
    spec: { securityContext: badPod, containers: [...allowedContainers, ...badContainers] },
    reason: 'seLinuxOptions',
    detail:
      'pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set',
  },
  {
    name: 'invalid pod',
    spec: { securityContext: badPod, containers: allowedContainers },
    reason: 'seLinuxOptions',
    detail:
      'pod set forbidden securityContext.seLinuxOptions: type "foo"; user may not be set; role may not be set',
  },
  {
    name: 'invalid containers',
    spec: { securityContext: { seLinuxOptions: {} }, containers: [...allowedContainers, ...badContainers] },
    reason: 'seLinuxOptions',
    detail:
      'containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: type "bar"; user may not be set; role may not be set',
  },
  {
    name: 'bad user',
    spec: { securityContext: { seLinuxOptions: { user: 'bad' } } },
    reason: 'seLinuxOptions',
    detail: 'pod set forbidden securityContext.seLinuxOptions: user may not be set',
  },
  {
    name: 'bad role',
    spec: { securityContext: { seLinuxOptions: { role: 'bad' } } },
    reason: 'seLinuxOptions',
    detail: 'pod set forbidden securityContext.seLinuxOptions: role may not be set',
  },
]);

testCheck('seLinuxOptions v1.0', seLinuxOptionsV1Dot0, [
  { name: 'allowed types', spec: { containers: allowedContainers.slice(0, 3) } },
  {
    name: 'container_engine_t is only allowed from v1.31',
    spec: { containers: allowedContainers },
    reason: 'seLinuxOptions',
    detail: 'container "d" set forbidden securityContext.seLinuxOptions: type "container_engine_t"',
  },
]);
