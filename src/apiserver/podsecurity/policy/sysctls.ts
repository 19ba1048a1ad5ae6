import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { CheckDefinition, CheckResult, PodCheck } from './types.js';

/** The "safe" sysctls (namespaced and isolated from other pods), growing with the policy version. */
const allowedV1Dot0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const allowedV1Dot27 = [...allowedV1Dot0, 'net.ipv4.ip_local_reserved_ports'];
const allowedV1Dot29 = [
  ...allowedV1Dot27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const allowedV1Dot32 = [...allowedV1Dot29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];

/** Baseline: spec.securityContext.sysctls[*].name only from the safe set. */
function sysctlsCheck(allowedNames: readonly string[]): PodCheck {
  const allowed = new Set(allowedNames);
  return (_meta, spec: PodSpec): CheckResult | undefined => {
    const forbidden = (spec.securityContext?.sysctls ?? [])
      .map((sysctl) => sysctl.name)
      .filter((name) => !allowed.has(name));
    if (forbidden.length === 0) return undefined;
    return { forbiddenReason: 'forbidden sysctls', forbiddenDetail: forbidden.join(', ') };
  };
}

export const sysctlsV1Dot0 = sysctlsCheck(allowedV1Dot0);
export const sysctlsV1Dot27 = sysctlsCheck(allowedV1Dot27);
export const sysctlsV1Dot29 = sysctlsCheck(allowedV1Dot29);
export const sysctlsV1Dot32 = sysctlsCheck(allowedV1Dot32);

export const sysctls: CheckDefinition = {
  id: 'sysctls',
  level: 'baseline',
  versions: [
    { minVersion: 0, check: sysctlsV1Dot0 },
    { minVersion: 27, check: sysctlsV1Dot27 },
    { minVersion: 29, check: sysctlsV1Dot29 },
    { minVersion: 32, check: sysctlsV1Dot32 },
  ],
};
