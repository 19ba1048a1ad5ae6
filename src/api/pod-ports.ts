import type { ContainerPort, Pod, ServicePort } from 'kubernetes-types/core/v1.js';

/**
 * A named container port of the pod by name and protocol: among its containers' ports, then its sidecars'
 * (init containers with restartPolicy Always), as upstream looks named ports up. Undefined when it has none.
 */
export function containerPortByName(pod: Pod, name: string, protocol: string): number | undefined {
  const matches = (p: ContainerPort): boolean => p.name === name && (p.protocol ?? 'TCP') === protocol;
  for (const c of pod.spec?.containers ?? []) {
    const port = c.ports?.find(matches);
    if (port) return port.containerPort;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    const port = c.ports?.find(matches);
    if (port) return port.containerPort;
  }
  return undefined;
}

/**
 * The pod port a Service port sends to (upstream FindPort): a numeric targetPort as is, a named one looked up
 * with containerPortByName. Undefined when the pod has no such port.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  return containerPortByName(pod, target, servicePort.protocol ?? 'TCP');
}
