/**
 * Security-related PodSpec validation as pkg/apis/core/validation (Kubernetes 1.32): the pod's and the
 * containers' securityContext (validatePodSpecSecurityContext, ValidateSecurityContext), the host-namespace
 * rules of hostUsers and shareProcessNamespace, Windows hostProcess pods and the spec.os checks.
 *
 * Tugboat has no feature gates: fields upstream 1.32 still gates off by default (hostUsers, procMount) are
 * stored, so they are validated as with their gates on; so is supplementalGroupsPolicy, which the typed
 * decoder's 1.30 schemas drop from requests today. `privileged` is always allowed, as with kubeadm's
 * --allow-privileged=true.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { inclusiveRangeError } from '../../../api/validation/names.js';
import { validateSeccompProfile } from './container-validation.js';
import { validateDNSSubdomain } from './core-common.js';
import { arr, invalidRendered, obj, present, type Obj } from './util.js';

const MAX_ID = 2147483647;
const ID_RANGE_ERROR = inclusiveRangeError(0, MAX_ID);

/** IsValidUserID / IsValidGroupID: a number outside [0, MaxInt32] (other JSON types are the decoder's). */
function idErrors(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && (value < 0 || value > MAX_ID)
    ? [fieldErr.invalid(path, value, ID_RANGE_ERROR)]
    : [];
}

// ---------- sysctls ----------

const SYSCTL_SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const SYSCTL_NAME_SOURCE = `^(${SYSCTL_SEGMENT}[\\./])*${SYSCTL_SEGMENT}$`;
const sysctlNameRe = new RegExp(SYSCTL_NAME_SOURCE);
const SYSCTL_MAX_LENGTH = 253;
const SYSCTL_NAME_ERROR = `must have at most ${SYSCTL_MAX_LENGTH} characters and match regex ${SYSCTL_NAME_SOURCE}`;

/** IsValidSysctlName: dotted (or slashed) lowercase segments, at most 253 bytes. */
function isValidSysctlName(name: string): boolean {
  return Buffer.byteLength(name) <= SYSCTL_MAX_LENGTH && sysctlNameRe.test(name);
}

/** The sysctl in dotted form: `net/ipv4/conf/eth0.100/x` becomes `net.ipv4.conf.eth0/100.x` (NormalizeName). */
function normalizeSysctlName(name: string): string {
  const sep = name.search(/[./]/);
  if (sep < 0 || name[sep] === '.') return name;
  return name.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

const IPC_SYSCTLS = new Set([
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
  'kernel.shm',
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.msg',
]);

/** The kernel namespace a sysctl belongs to (component-helpers' GetNamespace), '' when not namespaced. */
function sysctlNamespace(name: string): 'ipc' | 'net' | '' {
  let n = normalizeSysctlName(name);
  const star = n.indexOf('*');
  if (star >= 0) n = n.slice(0, star);
  if (IPC_SYSCTLS.has(n)) return 'ipc';
  if (n.startsWith('net.')) return 'net';
  if (n.startsWith('fs.mqueue.')) return 'ipc';
  return '';
}

function validateSysctls(sysctls: unknown[], spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  sysctls.forEach((s, i) => {
    const p = `${path}[${i}].name`;
    const raw = obj(s)?.name;
    const name = typeof raw === 'string' ? raw : '';
    if (name === '') errs.push(fieldErr.required(p));
    else if (!isValidSysctlName(name)) errs.push(fieldErr.invalid(p, name, SYSCTL_NAME_ERROR));
    else if (seen.has(name)) errs.push(fieldErr.duplicate(p, name));
    // ValidateHostSysctl (no ratcheting: upstream only relaxes it for pods that already had such a sysctl).
    const ns = sysctlNamespace(name);
    if (spec.hostNetwork === true && ns === 'net') {
      errs.push(fieldErr.invalid(p, name, "may not be specified when 'hostNetwork' is true"));
    } else if (spec.hostIPC === true && ns === 'ipc') {
      errs.push(fieldErr.invalid(p, name, "may not be specified when 'hostIPC' is true"));
    }
    seen.add(name);
  });
  return errs;
}

// ---------- AppArmor and Windows options ----------

const APPARMOR_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];
const MAX_LOCALHOST_PROFILE_LENGTH = 4095;

/** ValidateAppArmorProfileField; `path` is the appArmorProfile's. */
function validateAppArmorProfile(value: unknown, path: string): FieldError[] {
  const profile = obj(value);
  if (!profile) return [];
  const type = typeof profile.type === 'string' ? profile.type : '';
  const local = profile.localhostProfile;
  const localPath = `${path}.localhostProfile`;
  if (type === 'Localhost') {
    if (!present(local)) return [fieldErr.required(localPath, 'must be set when AppArmor type is Localhost')];
    const text = String(local);
    const errs: FieldError[] = [];
    if (text.trim() !== text)
      errs.push(fieldErr.invalid(localPath, text, 'must not be padded with whitespace'));
    else if (text === '')
      errs.push(fieldErr.required(localPath, 'must be set when AppArmor type is Localhost'));
    if (Buffer.byteLength(text) > MAX_LOCALHOST_PROFILE_LENGTH) {
      errs.push(fieldErr.tooLong(localPath, MAX_LOCALHOST_PROFILE_LENGTH));
    }
    return errs;
  }
  if (type === 'RuntimeDefault' || type === 'Unconfined') {
    return present(local)
      ? [fieldErr.invalid(localPath, local, 'can only be set when AppArmor type is Localhost')]
      : [];
  }
  if (type === '') return [fieldErr.required(`${path}.type`, 'type is required when appArmorProfile is set')];
  return [fieldErr.notSupported(`${path}.type`, type, APPARMOR_TYPES)];
}

const MAX_GMSA_SPEC_KIB = 64;
const MAX_RUN_AS_DOMAIN_LENGTH = 256;
const MAX_RUN_AS_USER_LENGTH = 104;
// eslint-disable-next-line no-control-regex
const controlCharRe = /[\x00-\x1f\x7f]/;
const netBiosDomainRe = /^[^\\/:*?"<>|.][^\\/:*?"<>|]{0,14}$/u;
const WINDOWS_DNS_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';
const dnsDomainRe = new RegExp(`^${WINDOWS_DNS_LABEL}(?:\\.${WINDOWS_DNS_LABEL})*$`);
const badUserCharRe = /["/\\:;|=,+*?<>@[\]]/;
const dotsOrSpacesRe = /^[. ]+$/;

/** validateWindowsSecurityContextOptions; `path` is the windowsOptions'. */
function validateWindowsOptions(value: unknown, path: string): FieldError[] {
  const w = obj(value);
  if (!w) return [];
  const errs: FieldError[] = [];
  if (present(w.gmsaCredentialSpecName)) {
    errs.push(...validateDNSSubdomain(String(w.gmsaCredentialSpecName), `${path}.gmsaCredentialSpecName`));
  }
  if (present(w.gmsaCredentialSpec)) {
    const spec = String(w.gmsaCredentialSpec);
    const p = `${path}.gmsaCredentialSpec`;
    const bytes = Buffer.byteLength(spec);
    if (bytes === 0) errs.push(fieldErr.invalid(p, spec, 'gmsaCredentialSpec cannot be an empty string'));
    else if (bytes > MAX_GMSA_SPEC_KIB * 1024) {
      errs.push(fieldErr.invalid(p, spec, `gmsaCredentialSpec size must be under ${MAX_GMSA_SPEC_KIB} KiB`));
    }
  }
  if (present(w.runAsUserName))
    errs.push(...validateRunAsUserName(String(w.runAsUserName), `${path}.runAsUserName`));
  return errs;
}

function validateRunAsUserName(name: string, path: string): FieldError[] {
  const bad = (detail: string): FieldError => fieldErr.invalid(path, name, detail);
  if (name === '') return [bad('runAsUserName cannot be an empty string')];
  if (controlCharRe.test(name)) return [bad('runAsUserName cannot contain control characters')];
  const parts = name.split('\\');
  if (parts.length > 2) return [bad('runAsUserName cannot contain more than one backslash')];
  const errs: FieldError[] = [];
  const hasDomain = parts.length === 2;
  const domain = hasDomain ? (parts[0] ?? '') : '';
  const user = (hasDomain ? parts[1] : parts[0]) ?? '';
  if (Buffer.byteLength(domain) >= MAX_RUN_AS_DOMAIN_LENGTH) {
    errs.push(bad(`runAsUserName's Domain length must be under ${MAX_RUN_AS_DOMAIN_LENGTH} characters`));
  }
  if (hasDomain && !netBiosDomainRe.test(domain) && !dnsDomainRe.test(domain)) {
    errs.push(bad("runAsUserName's Domain doesn't match the NetBios nor the DNS format"));
  }
  const userBytes = Buffer.byteLength(user);
  if (userBytes === 0) errs.push(bad("runAsUserName's User cannot be empty"));
  else if (userBytes > MAX_RUN_AS_USER_LENGTH) {
    errs.push(
      bad(`runAsUserName's User length must not be longer than ${MAX_RUN_AS_USER_LENGTH} characters`),
    );
  }
  if (dotsOrSpacesRe.test(user)) errs.push(bad("runAsUserName's User cannot contain only periods or spaces"));
  if (badUserCharRe.test(user)) {
    errs.push(bad(`runAsUserName's User cannot contain the following characters: "/\\:;|=,+*?<>@[]`));
  }
  return errs;
}

// ---------- pod securityContext ----------

const FS_GROUP_CHANGE_POLICIES = ['Always', 'OnRootMismatch'];
const SUPPLEMENTAL_GROUPS_POLICIES = ['Merge', 'Strict'];

/**
 * validatePodSpecSecurityContext. `spec` is the PodSpec at `specPath`; upstream keeps hostPID, hostNetwork,
 * hostIPC and shareProcessNamespace in the pod security context, hence `spec.securityContext.shareProcessNamespace`.
 */
export function validatePodSecurityContext(spec: Obj, specPath: string): FieldError[] {
  const path = `${specPath}.securityContext`;
  const sc = obj(spec.securityContext) ?? {};
  const errs: FieldError[] = [
    ...idErrors(sc.fsGroup, `${path}.fsGroup`),
    ...idErrors(sc.runAsUser, `${path}.runAsUser`),
    ...idErrors(sc.runAsGroup, `${path}.runAsGroup`),
  ];
  arr(sc.supplementalGroups).forEach((gid, i) =>
    errs.push(...idErrors(gid, `${path}.supplementalGroups[${i}]`)),
  );
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(
      fieldErr.invalid(
        `${path}.shareProcessNamespace`,
        true,
        'ShareProcessNamespace and HostPID cannot both be enabled',
      ),
    );
  }
  const sysctls = arr(sc.sysctls);
  if (sysctls.length > 0) errs.push(...validateSysctls(sysctls, spec, `${path}.sysctls`));
  if (present(sc.fsGroupChangePolicy) && !FS_GROUP_CHANGE_POLICIES.includes(sc.fsGroupChangePolicy)) {
    errs.push(
      fieldErr.notSupported(`${path}.fsGroupChangePolicy`, sc.fsGroupChangePolicy, FS_GROUP_CHANGE_POLICIES),
    );
  }
  errs.push(...validateSeccompProfile(sc, path));
  errs.push(...validateWindowsOptions(sc.windowsOptions, `${path}.windowsOptions`));
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, `${path}.appArmorProfile`));
  if (
    present(sc.supplementalGroupsPolicy) &&
    !SUPPLEMENTAL_GROUPS_POLICIES.includes(sc.supplementalGroupsPolicy)
  ) {
    errs.push(
      fieldErr.notSupported(
        `${path}.supplementalGroupsPolicy`,
        sc.supplementalGroupsPolicy,
        SUPPLEMENTAL_GROUPS_POLICIES,
      ),
    );
  }
  return errs;
}

// ---------- container securityContext ----------

const PROC_MOUNT_TYPES = ['Default', 'Unmasked'];

/** The pointer fields of the internal core.SecurityContext, in declaration order, with their Go types. */
const SECURITY_CONTEXT_FIELDS: [string, string, string][] = [
  ['Capabilities', 'capabilities', 'core.Capabilities'],
  ['Privileged', 'privileged', 'bool'],
  ['SELinuxOptions', 'seLinuxOptions', 'core.SELinuxOptions'],
  ['WindowsOptions', 'windowsOptions', 'core.WindowsSecurityContextOptions'],
  ['RunAsUser', 'runAsUser', 'int64'],
  ['RunAsGroup', 'runAsGroup', 'int64'],
  ['RunAsNonRoot', 'runAsNonRoot', 'bool'],
  ['ReadOnlyRootFilesystem', 'readOnlyRootFilesystem', 'bool'],
  ['AllowPrivilegeEscalation', 'allowPrivilegeEscalation', 'bool'],
  ['ProcMount', 'procMount', 'core.ProcMountType'],
  ['SeccompProfile', 'seccompProfile', 'core.SeccompProfile'],
  ['AppArmorProfile', 'appArmorProfile', 'core.AppArmorProfile'],
];

/**
 * Go's %#v of a core.SecurityContext, which upstream prints as the value of the privilege-escalation errors.
 * Set pointer fields print as heap addresses there; a fixed placeholder address stands in for them here.
 */
export function goSecurityContext(sc: Obj): string {
  const fields = SECURITY_CONTEXT_FIELDS.map(
    ([goName, key, goType]) => `${goName}:(*${goType})(${present(sc[key]) ? '0xc000000000' : 'nil'})`,
  );
  return `core.SecurityContext{${fields.join(', ')}}`;
}

/** ValidateSecurityContext for one container; `path` is its securityContext's, `hostUsers` the pod's. */
export function validateSecurityContext(value: unknown, path: string, hostUsers: boolean): FieldError[] {
  const sc = obj(value);
  if (!sc) return [];
  const errs = [
    ...idErrors(sc.runAsUser, `${path}.runAsUser`),
    ...idErrors(sc.runAsGroup, `${path}.runAsGroup`),
  ];
  if (present(sc.procMount)) {
    const p = `${path}.procMount`;
    if (!PROC_MOUNT_TYPES.includes(sc.procMount))
      errs.push(fieldErr.notSupported(p, sc.procMount, PROC_MOUNT_TYPES));
    if (hostUsers && sc.procMount === 'Unmasked') {
      errs.push(fieldErr.invalid(p, sc.procMount, '`hostUsers` must be false to use `Unmasked`'));
    }
  }
  errs.push(...validateSeccompProfile(sc, path));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) {
      errs.push(
        invalidRendered(
          path,
          goSecurityContext(sc),
          'cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
        ),
      );
    }
    for (const cap of arr(obj(sc.capabilities)?.add)) {
      if (cap !== 'CAP_SYS_ADMIN') continue;
      errs.push(
        invalidRendered(
          path,
          goSecurityContext(sc),
          'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN',
        ),
      );
    }
  }
  errs.push(...validateWindowsOptions(sc.windowsOptions, `${path}.windowsOptions`));
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, `${path}.appArmorProfile`));
  return errs;
}

// ---------- pod-wide rules ----------

/** Every container with its path, in upstream's VisitContainersWithPath order. */
function eachContainer(spec: Obj, specPath: string, visit: (c: Obj, path: string) => void): void {
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    arr(spec[key]).forEach((c, i) => visit(obj(c) ?? {}, `${specPath}.${key}[${i}]`));
  }
}

/** validateWindowsHostProcessPod: hostProcess all-or-nothing, and only with hostNetwork. */
function validateWindowsHostProcess(spec: Obj, specPath: string): FieldError[] {
  const errs: FieldError[] = [];
  const podHostProcess = obj(obj(spec.securityContext)?.windowsOptions)?.hostProcess;
  let containers = 0;
  let hostProcess = 0;
  eachContainer(spec, specPath, (c, path) => {
    containers++;
    const own = obj(obj(c.securityContext)?.windowsOptions)?.hostProcess;
    if (typeof podHostProcess === 'boolean' && typeof own === 'boolean' && own !== podHostProcess) {
      errs.push(
        fieldErr.invalid(
          `${path}.securityContext.windowsOptions.hostProcess`,
          own,
          `pod hostProcess value must be identical if both are specified, was ${podHostProcess}`,
        ),
      );
    }
    if (own === true || (typeof own !== 'boolean' && podHostProcess === true)) hostProcess++;
  });
  if (hostProcess > 0) {
    if (hostProcess !== containers) {
      errs.push(
        fieldErr.invalid(
          specPath,
          '',
          'If pod contains any hostProcess containers then all containers must be HostProcess containers',
        ),
      );
    }
    if (spec.hostNetwork !== true) {
      errs.push(
        fieldErr.invalid(
          `${specPath}.hostNetwork`,
          false,
          'hostNetwork must be true if pod contains any hostProcess containers',
        ),
      );
    }
  }
  return errs;
}

const HOST_USERS_FALSE = 'when `pod.Spec.HostUsers` is false';

/** validateWindowsHostProcessPod and validateHostUsers (no host namespaces in a user namespace). */
export function validatePodHostNamespaces(spec: Obj, specPath: string): FieldError[] {
  const errs = validateWindowsHostProcess(spec, specPath);
  if (spec.hostUsers !== false) return errs;
  if (spec.hostNetwork === true) errs.push(fieldErr.forbidden(`${specPath}.hostNetwork`, HOST_USERS_FALSE));
  // Upstream names these two with Go's capitalization.
  if (spec.hostPID === true) errs.push(fieldErr.forbidden(`${specPath}.HostPID`, HOST_USERS_FALSE));
  if (spec.hostIPC === true) errs.push(fieldErr.forbidden(`${specPath}.HostIPC`, HOST_USERS_FALSE));
  return errs;
}

const OS_NAMES = ['linux', 'windows'];
const NOT_FOR_WINDOWS = 'cannot be set for a windows pod';
const NOT_FOR_LINUX = 'windows options cannot be set for a linux pod';

/** Pod-level fields a windows pod may not set, with the spec key they live under ('' for the spec itself). */
const WINDOWS_FORBIDDEN_POD_FIELDS: [string, string][] = [
  ['securityContext', 'appArmorProfile'],
  ['securityContext', 'seLinuxOptions'],
  ['', 'hostUsers'],
  ['', 'hostPID'],
  ['', 'hostIPC'],
  ['securityContext', 'seccompProfile'],
  ['securityContext', 'fsGroup'],
  ['securityContext', 'fsGroupChangePolicy'],
  ['securityContext', 'sysctls'],
  ['', 'shareProcessNamespace'],
  ['securityContext', 'runAsUser'],
  ['securityContext', 'runAsGroup'],
  ['securityContext', 'supplementalGroups'],
  ['securityContext', 'supplementalGroupsPolicy'],
];

const WINDOWS_FORBIDDEN_CONTAINER_FIELDS = [
  'appArmorProfile',
  'seLinuxOptions',
  'seccompProfile',
  'capabilities',
  'readOnlyRootFilesystem',
  'privileged',
  'allowPrivilegeEscalation',
  'procMount',
  'runAsUser',
  'runAsGroup',
];

/** Whether upstream's internal pod security context has the field set (false booleans are unset there). */
function podFieldSet(spec: Obj, sc: Obj, parent: string, key: string): boolean {
  const v = parent === '' ? spec[key] : sc[key];
  if (key === 'hostPID' || key === 'hostIPC') return v === true;
  if (key === 'sysctls') return arr(v).length > 0;
  return present(v);
}

/** validateOS, then validateLinux or validateWindows for a valid spec.os. */
export function validatePodOS(spec: Obj, specPath: string): FieldError[] {
  const os = obj(spec.os);
  if (!os) return [];
  const name = typeof os.name === 'string' ? os.name : '';
  if (name === '') return [fieldErr.required(`${specPath}.os.name`, 'cannot be empty')];
  if (!OS_NAMES.includes(name)) return [fieldErr.notSupported(`${specPath}.os`, name, OS_NAMES)];
  const errs: FieldError[] = [];
  const sc = obj(spec.securityContext) ?? {};
  if (name === 'linux') {
    if (present(sc.windowsOptions)) {
      errs.push(fieldErr.forbidden(`${specPath}.securityContext.windowsOptions`, NOT_FOR_LINUX));
    }
    eachContainer(spec, specPath, (c, path) => {
      if (present(obj(c.securityContext)?.windowsOptions)) {
        errs.push(fieldErr.forbidden(`${path}.securityContext.windowsOptions`, NOT_FOR_LINUX));
      }
    });
    return errs;
  }
  for (const [parent, key] of WINDOWS_FORBIDDEN_POD_FIELDS) {
    if (!podFieldSet(spec, sc, parent, key)) continue;
    const p = parent === '' ? `${specPath}.${key}` : `${specPath}.${parent}.${key}`;
    errs.push(fieldErr.forbidden(p, NOT_FOR_WINDOWS));
  }
  eachContainer(spec, specPath, (c, path) => {
    const csc = obj(c.securityContext);
    if (!csc) return;
    for (const key of WINDOWS_FORBIDDEN_CONTAINER_FIELDS) {
      if (present(csc[key])) errs.push(fieldErr.forbidden(`${path}.securityContext.${key}`, NOT_FOR_WINDOWS));
    }
  });
  return errs;
}
