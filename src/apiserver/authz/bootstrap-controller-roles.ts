/**
 * `system:controller:<name>` ClusterRoles of the controllers Tugboat runs, each bound to the service account
 * `kube-system/<name>` that upstream's kube-controller-manager gives the controller with
 * --use-service-account-credentials (upstream bootstrappolicy/controller_policy.go, v1.32). Several Tugboat
 * controllers share an upstream identity: node-lifecycle, taint-eviction-controller and node-ipam-controller
 * run as `node-controller`, csrsigning and csrcleaner as `certificate-controller`; serviceaccount-token runs with
 * the controller-manager's own credentials.
 */
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { eventsRule, READ, rule } from './policy-rule.js';

export const CONTROLLER_ROLE_PREFIX = 'system:controller:';

const controllerRole = (name: string, rules: PolicyRule[]): ClusterRole => ({
  metadata: { name: CONTROLLER_ROLE_PREFIX + name },
  rules,
});

const ANY = ['*'];
const CERTIFICATES = 'certificates.k8s.io';

export function defaultControllerRoles(): ClusterRole[] {
  return [
    controllerRole('certificate-controller', [
      rule([...READ, 'delete'], [CERTIFICATES], ['certificatesigningrequests']),
      rule(
        ['update'],
        [CERTIFICATES],
        ['certificatesigningrequests/status', 'certificatesigningrequests/approval'],
      ),
      rule(['approve'], [CERTIFICATES], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
      rule(
        ['sign'],
        [CERTIFICATES],
        ['signers'],
        [
          'kubernetes.io/legacy-unknown',
          'kubernetes.io/kube-apiserver-client',
          'kubernetes.io/kube-apiserver-client-kubelet',
          'kubernetes.io/kubelet-serving',
        ],
      ),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      eventsRule(),
    ]),
    controllerRole('clusterrole-aggregation-controller', [
      // Must be able to write any rules into an aggregated role, hence escalate.
      rule(
        ['escalate', 'get', 'list', 'watch', 'update', 'patch'],
        ['rbac.authorization.k8s.io'],
        ['clusterroles'],
      ),
    ]),
    controllerRole('cronjob-controller', [
      rule(['get', 'list', 'watch', 'update'], ['batch'], ['cronjobs']),
      rule(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], ['batch'], ['jobs']),
      rule(['update'], ['batch'], ['cronjobs/status']),
      rule(['update'], ['batch'], ['cronjobs/finalizers']),
      rule(['list', 'watch', 'delete'], [''], ['pods']),
      eventsRule(),
    ]),
    controllerRole('daemon-set-controller', [
      rule(READ, ['extensions', 'apps'], ['daemonsets']),
      rule(['update'], ['extensions', 'apps'], ['daemonsets/status']),
      rule(['update'], ['extensions', 'apps'], ['daemonsets/finalizers']),
      rule(['list', 'watch'], [''], ['nodes']),
      rule(['list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']),
      rule(['create'], [''], ['pods/binding']),
      rule([...READ, 'create', 'delete', 'update', 'patch'], ['apps'], ['controllerrevisions']),
      eventsRule(),
    ]),
    controllerRole('deployment-controller', [
      rule([...READ, 'update'], ['extensions', 'apps'], ['deployments']),
      rule(['update'], ['extensions', 'apps'], ['deployments/status']),
      rule(['update'], ['extensions', 'apps'], ['deployments/finalizers']),
      rule([...READ, 'create', 'update', 'patch', 'delete'], ['apps', 'extensions'], ['replicasets']),
      rule([...READ, 'update'], [''], ['pods']),
      eventsRule(),
    ]),
    controllerRole('disruption-controller', [
      rule(READ, ['extensions', 'apps'], ['deployments']),
      rule(READ, ['apps', 'extensions'], ['replicasets']),
      rule(READ, [''], ['replicationcontrollers']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, ['apps'], ['statefulsets']),
      rule(['update'], ['policy'], ['poddisruptionbudgets/status']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(['get'], ANY, ['*/scale']),
      eventsRule(),
    ]),
    controllerRole('endpoint-controller', [
      rule(READ, [''], ['services', 'pods']),
      rule(['get', 'list', 'create', 'update', 'delete'], [''], ['endpoints']),
      eventsRule(),
    ]),
    controllerRole('endpointslice-controller', [
      rule(READ, [''], ['services', 'pods', 'nodes']),
      // Slices are owned by their service: setting blockOwnerDeletion needs its finalizers.
      rule(['update'], [''], ['services/finalizers']),
      rule(['get', 'list', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']),
      eventsRule(),
    ]),
    controllerRole('ephemeral-volume-controller', [
      rule(READ, [''], ['pods']),
      rule(['update'], [''], ['pods/finalizers']),
      rule([...READ, 'create'], [''], ['persistentvolumeclaims']),
      eventsRule(),
    ]),
    controllerRole('generic-garbage-collector', [
      // Lists, watches, reads and updates (finalizers, ownerReferences) of any resource.
      rule([...READ, 'patch', 'update', 'delete'], ANY, ANY),
      eventsRule(),
    ]),
    controllerRole('horizontal-pod-autoscaler', [
      rule(READ, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
      rule(['get', 'update'], ANY, ['*/scale']),
      rule(['list', 'watch'], [''], ['pods']),
      rule(['list', 'watch'], ['metrics.k8s.io'], ['pods']),
      rule(READ, ['custom.metrics.k8s.io'], ANY),
      rule(READ, ['external.metrics.k8s.io'], ANY),
      eventsRule(),
    ]),
    controllerRole('job-controller', [
      rule([...READ, 'update', 'patch'], ['batch'], ['jobs']),
      rule(['update'], ['batch'], ['jobs/status']),
      rule(['update'], ['batch'], ['jobs/finalizers']),
      rule(['list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']),
      eventsRule(),
    ]),
    controllerRole('namespace-controller', [
      rule([...READ, 'delete'], [''], ['namespaces']),
      rule(['update'], [''], ['namespaces/finalize', 'namespaces/status']),
      rule([...READ, 'delete', 'deletecollection'], ANY, ANY),
    ]),
    controllerRole('node-controller', [
      rule([...READ, 'update', 'delete', 'patch'], [''], ['nodes']),
      rule(['patch', 'update'], [''], ['nodes/status']),
      // Marking and deleting the pods of lost nodes.
      rule(['patch', 'update'], [''], ['pods/status']),
      rule([...READ, 'delete'], [''], ['pods']),
      eventsRule(),
    ]),
    controllerRole('persistent-volume-binder', [
      rule([...READ, 'update', 'create', 'delete'], [''], ['persistentvolumes']),
      rule(['update'], [''], ['persistentvolumes/status']),
      rule([...READ, 'update'], [''], ['persistentvolumeclaims']),
      rule(['update'], [''], ['persistentvolumeclaims/status']),
      rule([...READ, 'create', 'delete'], [''], ['pods']),
      rule(READ, ['storage.k8s.io'], ['storageclasses']),
      rule(['list', 'watch'], [''], ['nodes']),
      eventsRule(),
      rule(['watch'], [''], ['events']),
    ]),
    controllerRole('pv-protection-controller', [
      rule(['get', 'list', 'watch', 'update'], [''], ['persistentvolumes']),
      eventsRule(),
    ]),
    controllerRole('pvc-protection-controller', [
      rule(['get', 'list', 'watch', 'update'], [''], ['persistentvolumeclaims']),
      rule(['list', 'watch', 'get'], [''], ['pods']),
      eventsRule(),
    ]),
    controllerRole('pod-garbage-collector', [
      rule(['list', 'watch', 'delete'], [''], ['pods']),
      rule(READ, [''], ['nodes']),
      rule(['patch'], [''], ['pods/status']),
    ]),
    controllerRole('replicaset-controller', [
      rule([...READ, 'update'], ['apps', 'extensions'], ['replicasets']),
      rule(['update'], ['apps', 'extensions'], ['replicasets/status']),
      rule(['update'], ['apps', 'extensions'], ['replicasets/finalizers']),
      rule(['list', 'watch', 'patch', 'create', 'delete'], [''], ['pods']),
      eventsRule(),
    ]),
    controllerRole('replication-controller', [
      rule([...READ, 'update'], [''], ['replicationcontrollers']),
      rule(['update'], [''], ['replicationcontrollers/status']),
      rule(['update'], [''], ['replicationcontrollers/finalizers']),
      rule(['list', 'watch', 'patch', 'create', 'delete'], [''], ['pods']),
      eventsRule(),
    ]),
    controllerRole('resourcequota-controller', [
      // Quota may count anything, so it reads everything.
      rule(['list', 'watch'], ANY, ANY),
      rule(['update'], [''], ['resourcequotas/status']),
      eventsRule(),
    ]),
    controllerRole('service-account-controller', [rule(['create'], [''], ['serviceaccounts']), eventsRule()]),
    controllerRole('statefulset-controller', [
      rule(['list', 'watch'], [''], ['pods']),
      rule(READ, ['apps'], ['statefulsets']),
      rule(['update'], ['apps'], ['statefulsets/status']),
      rule(['update'], ['apps'], ['statefulsets/finalizers']),
      rule(['get', 'create', 'delete', 'update', 'patch'], [''], ['pods']),
      rule(
        ['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'],
        ['apps'],
        ['controllerrevisions'],
      ),
      rule(['get', 'create', 'list', 'watch'], [''], ['persistentvolumeclaims']),
      rule(['update', 'delete'], [''], ['persistentvolumeclaims']),
      rule(['update'], [''], ['pods/finalizers']),
      eventsRule(),
    ]),
    controllerRole('ttl-after-finished-controller', [
      rule([...READ, 'delete'], ['batch'], ['jobs']),
      eventsRule(),
    ]),
    controllerRole('root-ca-cert-publisher', [
      rule(['create', 'update'], [''], ['configmaps']),
      eventsRule(),
    ]),
    // Tugboat's own, in the place of a cloud's service controller (whose role upstream has the same reads):
    // LoadBalancer Services get the nodes' addresses as their ingress.
    controllerRole('service-lb-controller', [
      rule(READ, [''], ['services', 'nodes']),
      rule(['patch', 'update'], [''], ['services/status']),
      eventsRule(),
    ]),
    // Tugboat's own (k3s runs local-path-provisioner as a workload with a role of its own): it provisions
    // PersistentVolumes for claims of the local-path class on the node the scheduler picked.
    controllerRole('local-path-provisioner', [
      rule(['get', 'list', 'watch', 'create', 'delete'], [''], ['persistentvolumes']),
      rule(READ, [''], ['persistentvolumeclaims', 'nodes']),
      rule(READ, ['storage.k8s.io'], ['storageclasses']),
      eventsRule(),
    ]),
    // Tugboat's own (k3s deploys CoreDNS with its kube-dns Service): kube-dns in front of the agents' DNS servers.
    controllerRole('cluster-dns-service-controller', [
      rule(READ, [''], ['services', 'nodes']),
      rule(['create'], [''], ['services']),
      rule(['get', 'list', 'watch', 'create', 'update'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
  ];
}
