import type { Container, PodSpec } from 'kubernetes-types/core/v1.js';

/** Every container of the pod in upstream's visiting order: init containers, containers, ephemeral containers. */
export function podContainers(spec: PodSpec): Container[] {
  return [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    // Ephemeral containers carry the same security-relevant fields as containers.
    ...((spec.ephemeralContainers ?? []) as Container[]),
  ];
}

/** Names of the containers (in visiting order) for which `bad` holds. */
export function badContainerNames(spec: PodSpec, bad: (container: Container) => boolean): string[] {
  return podContainers(spec)
    .filter(bad)
    .map((container) => container.name);
}

/** Pods with spec.os.name "windows" are exempt from some Linux-only restricted checks from v1.25. */
export function isWindowsPod(spec: PodSpec): boolean {
  return spec.os?.name === 'windows';
}

/** Go's non-nil pointer test: the field is present and not JSON null. */
export function isSet<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}
