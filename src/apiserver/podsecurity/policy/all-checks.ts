import type { CheckDefinition } from './types.js';
import { appArmorProfile } from './apparmor.js';
import { capabilitiesBaseline, capabilitiesRestricted } from './capabilities.js';
import { hostNamespaces, hostPorts, windowsHostProcess } from './host-access.js';
import { allowPrivilegeEscalation, privileged } from './privilege.js';
import { procMount } from './proc-mount.js';
import { runAsNonRoot, runAsUser } from './run-as.js';
import { seccompProfileBaseline, seccompProfileRestricted } from './seccomp.js';
import { seLinuxOptions } from './selinux.js';
import { sysctls } from './sysctls.js';
import { hostPathVolumes, restrictedVolumes } from './volumes.js';

/** Every check of Kubernetes v1.32's policy package. */
export const allChecks: readonly CheckDefinition[] = [
  appArmorProfile,
  capabilitiesBaseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  privileged,
  procMount,
  seLinuxOptions,
  seccompProfileBaseline,
  sysctls,
  windowsHostProcess,
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompProfileRestricted,
];
