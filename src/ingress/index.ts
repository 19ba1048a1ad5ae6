export { IngressController, type IngressControllerOptions } from './ingress-controller.js';
export { buildRouteTable, normalizeHost, RouteTable, type RouteTarget, type TlsRef } from './route-table.js';
export { resolveBackend, type Endpoint, type Resolution } from './backends.js';
export type { PemPair } from './certificates.js';
