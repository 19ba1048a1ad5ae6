import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { CheckDefinition, CheckResult } from './types.js';
import { isWindowsPod, podContainers } from './containers.js';
import { containersPhrase, joinQuote, sortedUnique } from './format.js';

/** The container runtimes' default capability set: the only ones baseline lets containers add. */
const baselineAllowedCapabilities = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** Baseline: capabilities.add only from the default set. */
export function capabilitiesBaselineV1Dot0(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const bad: string[] = [];
  const added: string[] = [];
  for (const container of podContainers(spec)) {
    const forbidden = (container.securityContext?.capabilities?.add ?? []).filter(
      (capability) => !baselineAllowedCapabilities.has(capability),
    );
    if (forbidden.length === 0) continue;
    bad.push(container.name);
    added.push(...forbidden);
  }
  if (bad.length === 0) return undefined;
  return {
    forbiddenReason: 'non-default capabilities',
    forbiddenDetail: `${containersPhrase(bad)} must not include ${joinQuote(sortedUnique(added))} in securityContext.capabilities.add`,
  };
}

/** Restricted: containers must drop ALL and may add only NET_BIND_SERVICE. */
export function capabilitiesRestrictedV1Dot22(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbidden: string[] = [];
  for (const container of podContainers(spec)) {
    const capabilities = container.securityContext?.capabilities;
    if (!capabilities) {
      missingDropAll.push(container.name);
      continue;
    }
    if (!(capabilities.drop ?? []).includes('ALL')) missingDropAll.push(container.name);
    const added = (capabilities.add ?? []).filter((capability) => capability !== 'NET_BIND_SERVICE');
    if (added.length > 0) {
      addingForbidden.push(container.name);
      forbidden.push(...added);
    }
  }
  const details: string[] = [];
  if (missingDropAll.length > 0) {
    details.push(`${containersPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  }
  if (addingForbidden.length > 0) {
    details.push(
      `${containersPhrase(addingForbidden)} must not include ${joinQuote(sortedUnique(forbidden))} in securityContext.capabilities.add`,
    );
  }
  if (details.length === 0) return undefined;
  return { forbiddenReason: 'unrestricted capabilities', forbiddenDetail: details.join('; ') };
}

/** From v1.25 Windows pods are exempt: the API rejects capabilities for them. */
export function capabilitiesRestrictedV1Dot25(meta: unknown, spec: PodSpec): CheckResult | undefined {
  return isWindowsPod(spec) ? undefined : capabilitiesRestrictedV1Dot22(meta, spec);
}

export const capabilitiesBaseline: CheckDefinition = {
  id: 'capabilities_baseline',
  level: 'baseline',
  versions: [{ minVersion: 0, check: capabilitiesBaselineV1Dot0 }],
};

export const capabilitiesRestricted: CheckDefinition = {
  id: 'capabilities_restricted',
  level: 'restricted',
  versions: [
    { minVersion: 22, check: capabilitiesRestrictedV1Dot22, overrides: ['capabilities_baseline'] },
    { minVersion: 25, check: capabilitiesRestrictedV1Dot25, overrides: ['capabilities_baseline'] },
  ],
};
