import { createRequire } from 'node:module';
import type * as Tls from 'node:tls';

/**
 * node:tls, loaded with require. An ES import of a built-in module reads every one of its exports, and reading
 * tls's `rootCertificates` turns Node's ~150 bundled root certificates into ~210 KiB of strings that each thread
 * then keeps for its whole life; nothing here uses them (the cluster has its own CA).
 */
export const tls = createRequire(import.meta.url)('node:tls') as typeof Tls;
