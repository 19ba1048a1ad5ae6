/**
 * Pod Security Standards checks (baseline and restricted), following the check set, versions and messages of
 * k8s.io/pod-security-admission/policy in Kubernetes v1.32 (release-1.32): policy versions up to v1.32, where
 * 'latest' means v1.32. Newer upstream additions are left out: image volumes under restricted (v1.33), host
 * probes and lifecycle hooks (v1.34), the user-namespace relaxations and procMount_restricted (v1.35).
 * The alpha UserNamespacesPodSecurityStandards relaxation (off by default in v1.32) is not modelled either.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { CheckResult, Level, PolicyVersion } from './types.js';
import { buildRegistry } from './registry.js';
import { allChecks } from './all-checks.js';

export type { CheckResult, Level, PolicyVersion } from './types.js';

const registry = buildRegistry(allChecks);

/**
 * The failed checks of the Pod Security Standards at `level` and `version` for a pod (or a pod template's
 * metadata and spec), in upstream's order; empty when the pod is allowed. 'privileged' allows everything.
 */
export function evaluatePod(
  level: Level,
  version: PolicyVersion,
  meta: ObjectMeta | undefined,
  spec: PodSpec | undefined,
): CheckResult[] {
  const checks = registry.checksFor(level, version);
  const podMeta = meta ?? {};
  const podSpec: PodSpec = spec ?? { containers: [] };
  return checks.flatMap((check) => check(podMeta, podSpec) ?? []);
}
