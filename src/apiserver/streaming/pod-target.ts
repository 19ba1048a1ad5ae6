/**
 * Where a pod's log, exec, attach or port-forward request goes: the container (named, the default-container
 * annotation, or the only one) and the agent of the pod's node (InternalIP and daemonEndpoints port), with
 * upstream's errors.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { badRequest, internalError } from '../../api/errors.js';
import type { ApiContext } from '../rest/context.js';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** TLS material of the API server's client towards node agents. */
export interface KubeletClientTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface PodTarget {
  pod: Pod;
  container: string;
  host: string;
  port: number;
  /** Hollow nodes serve plain HTTP and no streams. */
  hollow: boolean;
}

export function allContainerNames(pod: Pod): string[] {
  const s = pod.spec;
  return [
    ...(s?.containers ?? []).map((c) => c.name),
    ...(s?.initContainers ?? []).map((c) => c.name),
    ...(s?.ephemeralContainers ?? []).map((c) => c.name),
  ];
}

/** The requested container, else the annotated default, else the only container (upstream's rules). */
export function pickContainer(pod: Pod, requested: string | null): string {
  const name = pod.metadata?.name ?? '';
  if (requested) {
    if (!allContainerNames(pod).includes(requested))
      throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && containers.includes(annotated)) return annotated;
  if (containers.length === 1) return containers[0]!;
  const init = (pod.spec?.initContainers ?? []).map((c) => c.name);
  const choices = init.length
    ? `choose one of: [${containers.join(' ')}] or one of the init containers: [${init.join(' ')}]`
    : `choose one of: [${containers.join(' ')}]`;
  throw badRequest(`a container name must be specified for pod ${name}, ${choices}`);
}

/** The kubelet's refusal to serve logs of a container that never ran (validateContainerLogStatus). */
export function checkLogStatus(pod: Pod, container: string, previous: boolean): void {
  const podName = pod.metadata?.name ?? '';
  const st = pod.status;
  const status = [
    ...(st?.containerStatuses ?? []),
    ...(st?.initContainerStatuses ?? []),
    ...(st?.ephemeralContainerStatuses ?? []),
  ].find((s) => s.name === container);
  if (!status)
    throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`);
  if (previous) {
    if (!status.lastState?.terminated)
      throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return;
  }
  const waiting = status.state?.waiting;
  if (waiting && !status.lastState?.terminated && !status.state?.running && !status.state?.terminated) {
    const reason = waiting.reason ?? 'ContainerCreating';
    if (reason === 'ErrImagePull' || reason === 'ImagePullBackOff' || reason === 'InvalidImageName')
      throw badRequest(
        `container "${container}" in pod "${podName}" is waiting to start: image can't be pulled`,
      );
    throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
  }
}

/**
 * The runtime id of the instance whose log is asked for, as the kubelet picks it from the pod status: the
 * previous one is lastState's; the current one is state's, or lastState's while the next waits (back-off).
 */
export function logContainerId(pod: Pod, container: string, previous: boolean): string | undefined {
  const st = pod.status;
  const status = [
    ...(st?.containerStatuses ?? []),
    ...(st?.initContainerStatuses ?? []),
    ...(st?.ephemeralContainerStatuses ?? []),
  ].find((s) => s.name === container);
  const last = status?.lastState?.terminated?.containerID;
  const id = previous
    ? last
    : ((status?.state?.running ? status.containerID : undefined) ??
      status?.state?.terminated?.containerID ??
      (status?.state?.waiting ? last : undefined));
  return id?.replace(/^[a-z0-9-]+:\/\//, '') || undefined;
}

/** The pod and the agent of its node, for requests about the whole pod (port-forward). */
export async function resolvePodNode(
  ctx: ApiContext,
  namespace: string,
  name: string,
): Promise<Omit<PodTarget, 'container'>> {
  const podDef = ctx.registry.lookup('', 'v1', 'pods')!.def;
  const pod = (await ctx.storage.mustGet(podDef, namespace, name)) as Pod;
  return { pod, ...(await nodeEndpoint(ctx, pod)) };
}

export async function resolvePodTarget(
  ctx: ApiContext,
  namespace: string,
  name: string,
  requestedContainer: string | null,
): Promise<PodTarget> {
  const podDef = ctx.registry.lookup('', 'v1', 'pods')!.def;
  const pod = (await ctx.storage.mustGet(podDef, namespace, name)) as Pod;
  const container = pickContainer(pod, requestedContainer);
  return { pod, container, ...(await nodeEndpoint(ctx, pod)) };
}

async function nodeEndpoint(
  ctx: ApiContext,
  pod: Pod,
): Promise<{ host: string; port: number; hollow: boolean }> {
  const name = pod.metadata?.name ?? '';
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const nodeDef = ctx.registry.lookup('', 'v1', 'nodes')!.def;
  const node = (await ctx.storage.get(nodeDef, undefined, nodeName)) as Node | undefined;
  if (!node) throw badRequest(`pod ${name} is assigned to node ${nodeName}, which does not exist`);
  const addresses = node.status?.addresses ?? [];
  const host = (addresses.find((a) => a.type === 'InternalIP') ?? addresses[0])?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!host || !port) throw internalError(new Error(`node ${nodeName} reports no kubelet endpoint`));
  const hollow = node.metadata?.labels?.['node.kubernetes.io/instance-type'] === 'hollow';
  return { host, port, hollow };
}
