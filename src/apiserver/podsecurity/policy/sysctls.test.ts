import type { PodCheck } from './types.js';
import { testCheck } from './testing/check-cases.js';
import { sysctlsV1Dot0, sysctlsV1Dot27, sysctlsV1Dot29, sysctlsV1Dot32 } from './sysctls.js';

function sysctls(...names: string[]) {
  return { securityContext: { sysctls: names.map((name) => ({ name, value: '1' })) } };
}

const forbidden = {
  name: 'forbidden sysctls',
  spec: sysctls('a', 'b'),
  reason: 'forbidden sysctls',
  detail: 'a, b',
};
const safeV1Dot0 = {
  name: 'safe since v1.0',
  spec: sysctls(
    'kernel.shm_rmid_forced',
    'net.ipv4.ip_local_port_range',
    'net.ipv4.tcp_syncookies',
    'net.ipv4.ping_group_range',
    'net.ipv4.ip_unprivileged_port_start',
  ),
};

/** Each sysctl added by a version: forbidden by the implementations before it, allowed from it. */
const additions: [number, string[]][] = [
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [
    29,
    [
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_fin_timeout',
      'net.ipv4.tcp_keepalive_intvl',
      'net.ipv4.tcp_keepalive_probes',
    ],
  ],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
];

const implementations: [number, PodCheck][] = [
  [0, sysctlsV1Dot0],
  [27, sysctlsV1Dot27],
  [29, sysctlsV1Dot29],
  [32, sysctlsV1Dot32],
];

for (const [version, check] of implementations) {
  testCheck(`sysctls v1.${version}`, check, [
    forbidden,
    safeV1Dot0,
    ...additions.map(([since, names]) =>
      since <= version
        ? { name: `allowed: added in v1.${since}`, spec: sysctls(...names) }
        : {
            name: `forbidden: only added in v1.${since}`,
            spec: sysctls('kernel.shm_rmid_forced', ...names),
            reason: 'forbidden sysctls',
            detail: names.join(', '),
          },
    ),
  ]);
}
