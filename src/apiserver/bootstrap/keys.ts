/**
 * Store keys the servers of one cluster share outside the API's `/registry/` space, so the API server's watch
 * cache, its encryption layer and its list paths never see them (k3s keeps its bootstrap data beside the
 * registry in the same way).
 */

/** The cluster's shared secrets (CA, service account key, encryption config), encrypted with the token. */
export const BOOTSTRAP_DATA_KEY = '/bootstrap/data';

/** One key per node name, holding the hex sha256 of the node password it was claimed with. */
export const NODE_PASSWORD_PREFIX = '/bootstrap/node-passwords/';
