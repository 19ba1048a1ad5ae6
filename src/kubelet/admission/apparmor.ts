/**
 * AppArmor on the node (upstream kubelet's AppArmor validator, a "soft" admission: a pod it refuses stays
 * Pending, its containers Blocked, rather than failing). A pod that asks for a profile other than Unconfined,
 * in `securityContext.appArmorProfile` or the older per-container annotations, is only run where the profile
 * can be enforced. This agent does not apply AppArmor profiles, so such a pod is held with the reason, as
 * upstream holds it on a host without AppArmor, instead of running unconfined.
 */
import { readFile } from 'node:fs/promises';
import type { Pod } from 'kubernetes-types/core/v1.js';

const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** Upstream isRequired: some profile other than Unconfined is asked for. */
export function appArmorRequired(pod: Pod): boolean {
  const confined = (type: string | undefined): boolean => type !== undefined && type !== 'Unconfined';
  if (confined(pod.spec?.securityContext?.appArmorProfile?.type)) return true;
  const containers = [
    ...(pod.spec?.initContainers ?? []),
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.ephemeralContainers ?? []),
  ];
  if (containers.some((c) => confined(c.securityContext?.appArmorProfile?.type))) return true;
  return Object.entries(pod.metadata?.annotations ?? {}).some(
    ([k, v]) => k.startsWith(ANNOTATION_PREFIX) && v !== 'unconfined',
  );
}

/** Why AppArmor cannot be enforced for pods on this host (the message upstream's validator gives). */
export async function appArmorProblem(
  readEnabled: () => Promise<string> = () => readFile('/sys/module/apparmor/parameters/enabled', 'utf8'),
): Promise<string> {
  const enabled = await readEnabled().catch(() => '');
  if (!enabled.trim().startsWith('Y')) return 'AppArmor is not enabled on the host';
  return 'the tugboat agent does not apply AppArmor profiles yet';
}

export const APPARMOR_REASON = 'AppArmor';

export function appArmorMessage(problem: string): string {
  return `Cannot enforce AppArmor: ${problem}`;
}
