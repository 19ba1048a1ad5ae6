/** Linux capability names by number (linux/capability.h), and the default set Docker and containerd grant. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** `NET_ADMIN`, `net_admin` and `CAP_NET_ADMIN` all name the same capability. */
export function capabilityName(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** Names of the capabilities set in a /proc/<pid>/status hex mask (CapBnd). */
export function capabilitiesInMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/**
 * Kubernetes semantics: start from the default set, add, then drop; `ALL` in either list means every
 * capability. Only capabilities in `available` (the agent's own bounding set) can be granted.
 */
export function effectiveCapabilities(add: string[], drop: string[], available: readonly string[]): string[] {
  const known = available;
  const addNames = add.map(capabilityName);
  const dropNames = drop.map(capabilityName);
  let set = new Set<string>(DEFAULT_CAPABILITIES.filter((c) => known.includes(c)));
  if (addNames.includes('CAP_ALL')) set = new Set(known);
  else for (const c of addNames) if (known.includes(c)) set.add(c);
  if (dropNames.includes('CAP_ALL')) set = new Set(addNames.filter((c) => known.includes(c)));
  else for (const c of dropNames) set.delete(c);
  return [...set];
}
