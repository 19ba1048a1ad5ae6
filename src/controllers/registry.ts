import type { ControllerFactory } from './context.js';
import { clusterDnsServiceController } from './clusterdns/index.js';
import { clusterRoleAggregationController } from './clusterroleaggregation/index.js';
import { csrCleanerController, csrSigningController } from './certificates/index.js';
import { cronJobControllerFactory } from './cronjob/index.js';
import { newDaemonSetController } from './daemonset/index.js';
import { deploymentControllerFactory } from './deployment/index.js';
import { disruptionController } from './disruption/index.js';
import { endpointController } from './endpoint/index.js';
import { endpointSliceController } from './endpointslice/index.js';
import { ephemeralVolumeController } from './ephemeralvolume/index.js';
import { garbageCollectorController } from './garbagecollector/index.js';
import { horizontalPodAutoscalerController } from './hpa/index.js';
import { jobControllerFactory } from './job/index.js';
import { namespaceController } from './namespace/index.js';
import { nodeIpamController } from './nodeipam/index.js';
import { nodeLifecycleController, taintEvictionController } from './nodelifecycle/index.js';
import { podGcController } from './podgc/index.js';
import { replicaSetControllerFactory, replicationControllerFactory } from './replicaset/index.js';
import { resourceQuotaController } from './resourcequota/index.js';
import { rootCaCertPublisherController } from './rootcacert/index.js';
import { serviceAccountController } from './serviceaccount/index.js';
import { serviceLbController } from './servicelb/index.js';
import { serviceAccountTokenController } from './serviceaccounttoken/index.js';
import { newStatefulSetController } from './statefulset/index.js';
import { pvcProtectionController, pvProtectionController } from './storageprotection/index.js';
import { ttlAfterFinishedControllerFactory } from './ttlafterfinished/index.js';
import { localPathProvisionerController, persistentVolumeBinderController } from './volume/index.js';

/** Every built-in controller by its upstream name (as in kube-controller-manager's --controllers). */
export const builtinControllers: Record<string, ControllerFactory> = {
  'garbage-collector': garbageCollectorController,
  namespace: namespaceController,
  serviceaccount: serviceAccountController,
  'serviceaccount-token': serviceAccountTokenController,
  'root-ca-cert-publisher': rootCaCertPublisherController,
  csrsigning: csrSigningController,
  csrcleaner: csrCleanerController,
  replicaset: replicaSetControllerFactory,
  replicationcontroller: replicationControllerFactory,
  deployment: deploymentControllerFactory,
  daemonset: newDaemonSetController,
  statefulset: newStatefulSetController,
  job: jobControllerFactory,
  cronjob: cronJobControllerFactory,
  'ttl-after-finished': ttlAfterFinishedControllerFactory,
  'horizontal-pod-autoscaler': horizontalPodAutoscalerController,
  disruption: disruptionController,
  endpoint: endpointController,
  endpointslice: endpointSliceController,
  'node-ipam-controller': nodeIpamController,
  'node-lifecycle': nodeLifecycleController,
  'taint-eviction-controller': taintEvictionController,
  podgc: podGcController,
  resourcequota: resourceQuotaController,
  'persistentvolume-binder': persistentVolumeBinderController,
  'local-path-provisioner': localPathProvisionerController,
  'ephemeral-volume-controller': ephemeralVolumeController,
  'pvc-protection': pvcProtectionController,
  'pv-protection': pvProtectionController,
  'clusterrole-aggregation': clusterRoleAggregationController,
  // Not upstream's: load balancers at the nodes' addresses where no cloud provides them (k3s's ServiceLB).
  'service-lb': serviceLbController,
  // Not upstream's: the kube-dns Service in front of the agents' node-local DNS servers.
  'cluster-dns-service': clusterDnsServiceController,
};
