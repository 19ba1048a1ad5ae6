import type { ContainerPort, Pod, ServicePort } from 'kubernetes-types/core/v1.js';

/**
 * The pod port a Service port sends to (upstream FindPort): a numeric targetPort as is; a named one is looked up
 * among the container ports of the pod's containers, then of its sidecars (init containers with
 * restartPolicy Always), by name and protocol. Undefined when the pod has no such port.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  const matches = (p: ContainerPort): boolean => p.name === target && (p.protocol ?? 'TCP') === protocol;
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
