import type { PodFailurePolicy } from 'kubernetes-types/batch/v1.js';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';

export interface PolicyMatch {
  action: 'FailJob' | 'Ignore' | 'Count' | 'FailIndex' | undefined;
  /** For FailJob: the Failed condition's message. */
  message?: string;
}

function matchingContainer(
  statuses: ContainerStatus[] | undefined,
  rule: NonNullable<PodFailurePolicy['rules'][number]['onExitCodes']>,
): ContainerStatus | undefined {
  return statuses?.find((s) => {
    const code = s.state?.terminated?.exitCode;
    if (code === undefined || code === 0) return false;
    if (rule.containerName && rule.containerName !== s.name) return false;
    const listed = rule.values.includes(code);
    return rule.operator === 'In' ? listed : !listed;
  });
}

/** Upstream matchPodFailurePolicy: the first rule that matches a Failed pod decides; none matching counts it. */
export function matchPodFailurePolicy(policy: PodFailurePolicy, pod: Pod): PolicyMatch {
  const ns = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  for (const [index, rule] of policy.rules.entries()) {
    if (rule.onExitCodes) {
      const c =
        matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes) ??
        matchingContainer(pod.status?.containerStatuses, rule.onExitCodes);
      if (!c) continue;
      const action = rule.action as PolicyMatch['action'];
      if (action !== 'FailJob') return { action };
      return {
        action,
        message: `Container ${c.name} for pod ${ns}/${name} failed with exit code ${c.state?.terminated?.exitCode ?? ''} matching FailJob rule at index ${index}`,
      };
    } else if (rule.onPodConditions) {
      const cond = pod.status?.conditions?.find((pc) =>
        rule.onPodConditions?.some((p) => p.type === pc.type && (p.status ?? 'True') === pc.status),
      );
      if (!cond) continue;
      const action = rule.action as PolicyMatch['action'];
      if (action !== 'FailJob') return { action };
      return {
        action,
        message: `Pod ${ns}/${name} has condition ${cond.type} matching FailJob rule at index ${index}`,
      };
    }
  }
  return { action: undefined };
}
