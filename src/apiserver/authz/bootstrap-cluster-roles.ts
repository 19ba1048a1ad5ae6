/**
 * The default ClusterRoles of kube-apiserver (upstream bootstrappolicy/policy.go, v1.32), minus rules behind
 * feature gates that are off by default or about kinds of alpha APIs. Metadata (label, annotation) is added by
 * bootstrap-policy.ts.
 */
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { aggregationRoles } from './bootstrap-aggregated-roles.js';
import { clusterRole as role, eventsRule, READ, READ_UPDATE, rule, urlRule } from './policy-rule.js';

const AUTHN = 'authentication.k8s.io';
const AUTHZ = 'authorization.k8s.io';
const CERTIFICATES = 'certificates.k8s.io';
const COORDINATION = 'coordination.k8s.io';
const STORAGE = 'storage.k8s.io';

/** What a kubelet needs (upstream's NodeRules; the Node authorizer narrows it to the node's own objects). */
export function nodeRules(): PolicyRule[] {
  return [
    rule(['create'], [AUTHN], ['tokenreviews']),
    rule(['create'], [AUTHZ], ['subjectaccessreviews', 'localsubjectaccessreviews']),
    rule(READ, [''], ['services']),
    rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
    rule(['update', 'patch'], [''], ['nodes/status']),
    rule(['update', 'patch'], [''], ['nodes']),
    rule(['create', 'update', 'patch'], [''], ['events']),
    rule(READ, [''], ['pods']),
    rule(['create', 'delete'], [''], ['pods']),
    rule(['update', 'patch'], [''], ['pods/status']),
    rule(['create'], [''], ['pods/eviction']),
    rule(READ, [''], ['secrets', 'configmaps']),
    rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['get'], [''], ['endpoints']),
    rule(['create', 'get', 'list', 'watch'], [CERTIFICATES], ['certificatesigningrequests']),
    rule(['get', 'create', 'update', 'patch', 'delete'], [COORDINATION], ['leases']),
    rule(['get'], [STORAGE], ['volumeattachments']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(['get', 'update', 'patch'], [''], ['persistentvolumeclaims/status']),
    rule(READ, [STORAGE], ['csidrivers']),
    rule(['get', 'create', 'update', 'patch', 'delete'], [STORAGE], ['csinodes']),
    rule(READ, ['node.k8s.io'], ['runtimeclasses']),
  ];
}

function kubeSchedulerRules(): PolicyRule[] {
  return [
    eventsRule(),
    rule(['create'], [COORDINATION], ['leases']),
    rule(['get', 'update'], [COORDINATION], ['leases'], ['kube-scheduler']),
    rule(READ, [''], ['nodes']),
    rule([...READ, 'delete'], [''], ['pods']),
    rule(['create'], [''], ['bindings', 'pods/binding']),
    rule(['patch', 'update'], [''], ['pods/status']),
    rule(READ, [''], ['replicationcontrollers', 'services']),
    rule(READ, ['apps', 'extensions'], ['replicasets']),
    rule(READ, ['apps'], ['statefulsets']),
    rule(READ, ['policy'], ['poddisruptionbudgets']),
    rule(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
    // Delegated authentication and authorization of its own endpoints.
    rule(['create'], [AUTHN], ['tokenreviews']),
    rule(['create'], [AUTHZ], ['subjectaccessreviews']),
    rule(READ, [STORAGE], ['csinodes']),
    rule(READ, [''], ['namespaces']),
    rule(READ, [STORAGE], ['csidrivers']),
    rule(READ, [STORAGE], ['csistoragecapacities']),
  ];
}

function kubeControllerManagerRules(): PolicyRule[] {
  return [
    eventsRule(),
    rule(['create'], [COORDINATION], ['leases']),
    rule(['get', 'update'], [COORDINATION], ['leases'], ['kube-controller-manager']),
    // Enough to create the service accounts and tokens the controllers then run as.
    rule(['create'], [''], ['secrets', 'serviceaccounts']),
    rule(['delete'], [''], ['secrets']),
    rule(['get'], [''], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
    rule(['update'], [''], ['secrets', 'serviceaccounts']),
    rule(['create'], [AUTHN], ['tokenreviews']),
    rule(['create'], [AUTHZ], ['subjectaccessreviews']),
    // The shared informers.
    rule(['list', 'watch'], ['*'], ['*']),
    rule(['create'], [''], ['serviceaccounts/token']),
  ];
}

/** A role approving CSRs for one signer. */
function signerApprover(name: string, signer: string): ClusterRole {
  return role(`system:certificates.k8s.io:${name}`, [
    rule(['approve'], [CERTIFICATES], ['signers'], [signer]),
  ]);
}

export function defaultClusterRoles(): ClusterRole[] {
  return [
    // Can do anything.
    role('cluster-admin', [rule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])]),
    // Enough to see whether the server is up and to negotiate API versions.
    role('system:discovery', [
      urlRule(
        ['get'],
        [
          '/livez',
          '/readyz',
          '/healthz',
          '/version',
          '/version/',
          '/openapi',
          '/openapi/*',
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
        ],
      ),
    ]),
    role('system:monitoring', [
      urlRule(
        ['get'],
        ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*'],
      ),
    ]),
    // What any user may learn about themselves.
    role('system:basic-user', [
      rule(['create'], [AUTHZ], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], [AUTHN], ['selfsubjectreviews']),
    ]),
    role('system:public-info-viewer', [
      urlRule(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/']),
    ]),
    ...aggregationRoles(),
    role('system:heapster', [
      rule(READ, [''], ['events', 'pods', 'nodes', 'namespaces']),
      rule(READ, ['extensions'], ['deployments']),
    ]),
    role('system:node', nodeRules()),
    role('system:node-problem-detector', [
      rule(['get'], [''], ['nodes']),
      rule(['patch'], [''], ['nodes/status']),
      eventsRule(),
    ]),
    role('system:node-proxier', [
      rule(['list', 'watch'], [''], ['services', 'endpoints']),
      rule(READ, [''], ['nodes']),
      eventsRule(),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    role('system:kubelet-api-admin', [
      rule(READ, [''], ['nodes']),
      rule(['proxy'], [''], ['nodes']),
      rule(['*'], [''], ['nodes/proxy', 'nodes/stats', 'nodes/log', 'nodes/metrics']),
    ]),
    role('system:node-bootstrapper', [
      rule(['create', 'get', 'list', 'watch'], [CERTIFICATES], ['certificatesigningrequests']),
    ]),
    role('system:auth-delegator', [
      rule(['create'], [AUTHN], ['tokenreviews']),
      rule(['create'], [AUTHZ], ['subjectaccessreviews']),
    ]),
    // The aggregator must see every service to know whether the ones it points to exist.
    role('system:kube-aggregator', [rule(READ, [''], ['services', 'endpoints'])]),
    role('system:kube-controller-manager', kubeControllerManagerRules()),
    role('system:kube-dns', [rule(['list', 'watch'], [''], ['endpoints', 'services'])]),
    role('system:persistent-volume-provisioner', [
      rule(['get', 'list', 'watch', 'create', 'delete'], [''], ['persistentvolumes']),
      rule(['get', 'list', 'watch', 'update'], [''], ['persistentvolumeclaims']),
      rule(READ, [STORAGE], ['storageclasses']),
      rule(['watch'], [''], ['events']),
      eventsRule(),
    ]),
    role('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      rule(['create'], [CERTIFICATES], ['certificatesigningrequests/nodeclient']),
    ]),
    role('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      rule(['create'], [CERTIFICATES], ['certificatesigningrequests/selfnodeclient']),
    ]),
    role('system:volume-scheduler', [
      rule(READ_UPDATE, [''], ['persistentvolumes']),
      rule(READ, [STORAGE], ['storageclasses']),
      rule(READ_UPDATE, [''], ['persistentvolumeclaims']),
    ]),
    signerApprover('legacy-unknown-approver', 'kubernetes.io/legacy-unknown'),
    signerApprover('kubelet-serving-approver', 'kubernetes.io/kubelet-serving'),
    signerApprover('kube-apiserver-client-approver', 'kubernetes.io/kube-apiserver-client'),
    signerApprover('kube-apiserver-client-kubelet-approver', 'kubernetes.io/kube-apiserver-client-kubelet'),
    role('system:service-account-issuer-discovery', [
      urlRule(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks']),
    ]),
    role('system:kube-scheduler', kubeSchedulerRules()),
  ];
}
