export { Kubelet, type KubeletOptions } from './kubelet.js';
export { computePodActions, type PodActions } from './compute-pod-actions.js';
export { generatePodStatus } from './pod-status.js';
export { effectiveArgv } from './expansion.js';
export { defaultPullPolicy, normalizeImage, registryHost } from './image-reference.js';
export { authConfigsFor } from './pull-secrets.js';
export type { ClusterDns } from './sandbox-config.js';
export { POD_UID_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, CONTAINER_NAME_LABEL } from './labels.js';
