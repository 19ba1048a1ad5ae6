/**
 * The `kube-dns` Service of clusters whose DNS is Tugboat's own node-local servers: each agent that serves the
 * cluster DNS publishes the address on its Node; a controller gives the Service those addresses as endpoints.
 */

/** On a Node: the address its agent serves the cluster DNS on (its pod network's gateway), port 53. */
export const ANN_CLUSTER_DNS_ADDRESS = 'tugboat.dev/cluster-dns-address';

export const KUBE_DNS_NAMESPACE = 'kube-system';
export const KUBE_DNS_SERVICE = 'kube-dns';
/** `endpointslice.kubernetes.io/managed-by` of the Service's EndpointSlice. */
export const CLUSTER_DNS_MANAGER = 'cluster-dns.tugboat.dev';
