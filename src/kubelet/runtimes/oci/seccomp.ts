/**
 * Seccomp for containers (securityContext.seccompProfile): RuntimeDefault, Unconfined, or a Localhost profile
 * file in Docker's seccomp format, turned into the OCI spec's `linux.seccomp`.
 *
 * Our RuntimeDefault profile allows by default and refuses the system calls that let a container reach past
 * its isolation: kernel modules and kexec, mount and namespace creation, tracing other processes, clocks,
 * swap, keyrings, BPF and perf, reboot. Each group is allowed again when the container holds the capability
 * that the call is about (as Docker's profile does), so adding SYS_ADMIN or SYS_PTRACE keeps working.
 * A deny list is weaker than an allow list against system calls added to kernels later; it never breaks a
 * program that uses ordinary calls, which an allow list of our own would risk.
 */
import { readFile } from 'node:fs/promises';
import type { SecurityProfile } from '../../cri/types.js';

interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface OciSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: OciSeccompSyscall[];
}

const EPERM = 1;
const ENOSYS = 38;
const X86_ARCHES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];

/** Refused unless the container holds the capability (undefined: always refused). */
const GUARDED: { capability: string | undefined; names: string[] }[] = [
  {
    capability: 'CAP_SYS_ADMIN',
    names: [
      'mount',
      'umount',
      'umount2',
      'pivot_root',
      'setns',
      'unshare',
      'fsopen',
      'fsconfig',
      'fsmount',
      'fspick',
      'move_mount',
      'open_tree',
      'mount_setattr',
      'name_to_handle_at',
      'quotactl',
      'quotactl_fd',
      'lookup_dcookie',
      'bpf',
      'perf_event_open',
      'fanotify_init',
      'swapon',
      'swapoff',
      'syslog',
      'setdomainname',
      'sethostname',
    ],
  },
  {
    capability: 'CAP_SYS_MODULE',
    names: [
      'init_module',
      'finit_module',
      'delete_module',
      'create_module',
      'query_module',
      'get_kernel_syms',
    ],
  },
  { capability: 'CAP_SYS_BOOT', names: ['reboot', 'kexec_load', 'kexec_file_load'] },
  {
    capability: 'CAP_SYS_TIME',
    names: ['settimeofday', 'stime', 'clock_settime', 'clock_adjtime', 'adjtimex'],
  },
  { capability: 'CAP_SYS_PTRACE', names: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp'] },
  { capability: 'CAP_SYS_RAWIO', names: ['iopl', 'ioperm'] },
  { capability: 'CAP_SYS_PACCT', names: ['acct'] },
  { capability: 'CAP_SYS_NICE', names: ['mbind', 'set_mempolicy', 'move_pages'] },
  { capability: 'CAP_DAC_READ_SEARCH', names: ['open_by_handle_at'] },
  {
    capability: undefined,
    names: [
      'add_key',
      'request_key',
      'keyctl',
      'nfsservctl',
      'uselib',
      'ustat',
      'sysfs',
      '_sysctl',
      'vm86',
      'vm86old',
      'userfaultfd',
    ],
  },
];

/** clone(2) flags that create namespaces; CLONE_NEWNS … CLONE_NEWNET. */
const CLONE_NAMESPACE_FLAGS = [
  0x20000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000,
];

export function runtimeDefaultSeccomp(capabilities: readonly string[]): OciSeccomp {
  const held = new Set(capabilities);
  const denied = GUARDED.filter((g) => g.capability === undefined || !held.has(g.capability)).flatMap(
    (g) => g.names,
  );
  const syscalls: OciSeccompSyscall[] = [{ names: denied, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM }];
  if (!held.has('CAP_SYS_ADMIN')) {
    // New namespaces only with SYS_ADMIN. clone3 passes its flags in memory a filter cannot read: answer
    // ENOSYS, so the C library falls back to clone(2), whose flags the rules below check.
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
    for (const flag of CLONE_NAMESPACE_FLAGS) {
      // On x86 the first argument of clone is the flags.
      syscalls.push({
        names: ['clone'],
        action: 'SCMP_ACT_ERRNO',
        errnoRet: EPERM,
        args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }],
      });
    }
  }
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: X86_ARCHES,
    syscalls,
  };
}

export class SeccompProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeccompProfileError';
  }
}

interface DockerSyscall {
  name?: string;
  names?: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  includes?: { caps?: string[]; arches?: string[] };
  excludes?: { caps?: string[]; arches?: string[] };
}

interface DockerProfile {
  defaultAction?: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] }[];
  syscalls?: DockerSyscall[] | null;
}

const ARCH_NAMES: Record<string, string> = {
  SCMP_ARCH_X86_64: 'amd64',
  SCMP_ARCH_X86: 'x86',
  SCMP_ARCH_X32: 'x32',
};

/**
 * A profile in Docker's format (which containerd and CRI-O read too) as OCI seccomp: the architectures of
 * `archMap`, and the rules whose `includes`/`excludes` match the container's capabilities on amd64.
 */
export function dockerProfileToOci(profile: DockerProfile, capabilities: readonly string[]): OciSeccomp {
  if (!profile.defaultAction) throw new SeccompProfileError('the profile has no defaultAction');
  const held = new Set(capabilities);
  const architectures =
    profile.architectures ??
    (profile.archMap ?? [])
      .filter((a) => a.architecture === 'SCMP_ARCH_X86_64')
      .flatMap((a) => [a.architecture, ...(a.subArchitectures ?? [])]);
  const matches = (c: DockerSyscall): boolean => {
    const inc = c.includes ?? {};
    const exc = c.excludes ?? {};
    if (inc.caps?.some((cap) => !held.has(cap))) return false;
    if (inc.arches && !inc.arches.includes('amd64')) return false;
    if (exc.caps?.some((cap) => held.has(cap))) return false;
    if (exc.arches?.includes('amd64')) return false;
    return true;
  };
  const syscalls = (profile.syscalls ?? []).filter(matches).map((c) => {
    const names = c.names ?? (c.name ? [c.name] : []);
    const rule: OciSeccompSyscall = { names, action: c.action };
    if (c.errnoRet !== undefined) rule.errnoRet = c.errnoRet;
    if (c.args?.length) rule.args = c.args;
    return rule;
  });
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    architectures: architectures.filter((a) => a in ARCH_NAMES),
    syscalls,
  };
}

/** The `linux.seccomp` of a container, or undefined for none (Unconfined, unset, privileged). */
export async function seccompFor(
  profile: SecurityProfile | undefined,
  privileged: boolean,
  capabilities: readonly string[],
): Promise<OciSeccomp | undefined> {
  if (!profile || privileged || profile.profileType === 'Unconfined') return undefined;
  if (profile.profileType === 'RuntimeDefault') return runtimeDefaultSeccomp(capabilities);
  const file = profile.localhostRef ?? '';
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SeccompProfileError(
      `cannot load seccomp profile "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    return dockerProfileToOci(JSON.parse(text) as DockerProfile, capabilities);
  } catch (err) {
    throw new SeccompProfileError(`cannot load seccomp profile "${file}": ${(err as Error).message}`);
  }
}
