import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { CheckDefinition, CheckResult } from './types.js';
import { badContainerNames, podContainers } from './containers.js';
import { containersPhrase, pluralize, sortedUnique } from './format.js';

/** Baseline: spec.hostNetwork, spec.hostPID and spec.hostIPC must be unset or false. */
export function hostNamespacesV1Dot0(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const shared = [
    spec.hostNetwork === true ? 'hostNetwork=true' : '',
    spec.hostPID === true ? 'hostPID=true' : '',
    spec.hostIPC === true ? 'hostIPC=true' : '',
  ].filter(Boolean);
  if (shared.length === 0) return undefined;
  return { forbiddenReason: 'host namespaces', forbiddenDetail: shared.join(', ') };
}

/** Baseline: containers' ports[*].hostPort must be unset or 0. */
export function hostPortsV1Dot0(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const badContainers: string[] = [];
  const ports: string[] = [];
  for (const container of podContainers(spec)) {
    const used = (container.ports ?? []).map((port) => port.hostPort ?? 0).filter((port) => port !== 0);
    if (used.length === 0) continue;
    badContainers.push(container.name);
    ports.push(...used.map(String));
  }
  if (badContainers.length === 0) return undefined;
  // Upstream sorts the ports as strings ("10", "8080", "9").
  const distinctPorts = sortedUnique(ports);
  return {
    forbiddenReason: 'hostPort',
    forbiddenDetail:
      `${containersPhrase(badContainers)} ${pluralize('uses', 'use', badContainers.length)} ` +
      `${pluralize('hostPort', 'hostPorts', distinctPorts.length)} ${distinctPorts.join(', ')}`,
  };
}

/** Baseline: securityContext.windowsOptions.hostProcess must be unset or false, on the pod and its containers. */
export function windowsHostProcessV1Dot0(_meta: unknown, spec: PodSpec): CheckResult | undefined {
  const setters: string[] = [];
  if (spec.securityContext?.windowsOptions?.hostProcess === true) setters.push('pod');
  const badContainers = badContainerNames(
    spec,
    (container) => container.securityContext?.windowsOptions?.hostProcess === true,
  );
  if (badContainers.length > 0) setters.push(containersPhrase(badContainers));
  if (setters.length === 0) return undefined;
  return {
    forbiddenReason: 'hostProcess',
    forbiddenDetail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
  };
}

export const hostNamespaces: CheckDefinition = {
  id: 'hostNamespaces',
  level: 'baseline',
  versions: [{ minVersion: 0, check: hostNamespacesV1Dot0 }],
};

export const hostPorts: CheckDefinition = {
  id: 'hostPorts',
  level: 'baseline',
  versions: [{ minVersion: 0, check: hostPortsV1Dot0 }],
};

export const windowsHostProcess: CheckDefinition = {
  id: 'windowsHostProcess',
  level: 'baseline',
  versions: [{ minVersion: 0, check: windowsHostProcessV1Dot0 }],
};
