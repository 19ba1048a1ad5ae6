/**
 * The node agent. Wiring (for `tugboat server` / `tugboat agent`):
 *
 *   const kubelet = new Kubelet({ nodeName, client, runtime, imageService, rootDir, clock, logger,
 *                                 onPodCIDR: (cidr) => runtimeNetwork.configure(cidr), clusterDns, kubeletPort });
 *   await kubelet.start(signal);   // registers the Node, starts the pod informer, PLEG, probes, lease
 *   …
 *   await kubelet.stop();          // containers keep running (a restarted agent adopts them); node NotReady
 *
 * Runtimes receive command/args as the pod spec has them ($(VAR) expanded); they merge them with the image's
 * Entrypoint/Cmd by `effectiveArgv`.
 */
export { Kubelet, type KubeletOptions } from './kubelet.js';
export { computePodActions, type PodActions } from './compute-pod-actions.js';
export { generatePodStatus } from './pod-status.js';
export { effectiveArgv } from './expansion.js';
export { defaultPullPolicy, normalizeImage, registryHost } from './image-reference.js';
export { authConfigsFor } from './pull-secrets.js';
export { parseResolvConf, readHostResolvConf } from './resolv-conf.js';
export type { ClusterDns } from './sandbox-config.js';
export { CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from './labels.js';
