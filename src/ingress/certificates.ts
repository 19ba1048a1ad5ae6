/**
 * TLS contexts of the Secrets that Ingresses name in `spec.tls` (type `kubernetes.io/tls`: `tls.crt` and
 * `tls.key`), rebuilt only when a Secret's resourceVersion changes. A Secret that is missing, of another type or
 * does not hold a usable pair leaves its hosts on the default certificate, as ingress-nginx and Traefik do,
 * and is reported once per version.
 */
import type { SecureContext } from 'node:tls';
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../util/logger.js';
import { tls } from '../util/node-tls.js';
import type { TlsRef } from './route-table.js';

export interface PemPair {
  certPem: string;
  keyPem: string;
}

interface Entry {
  resourceVersion: string;
  context: SecureContext | undefined;
}

export class CertificateStore {
  private readonly byKey = new Map<string, Entry>();
  private readonly fallback: SecureContext;

  constructor(
    defaultCertificate: PemPair,
    private readonly log: Logger,
  ) {
    this.fallback = tls.createSecureContext({
      cert: defaultCertificate.certPem,
      key: defaultCertificate.keyPem,
    });
  }

  /** Keeps the contexts of `wanted` (`namespace/name` keys) current and forgets the others. */
  update(wanted: ReadonlySet<string>, secretOf: (key: string) => Secret | undefined): void {
    for (const key of this.byKey.keys()) if (!wanted.has(key)) this.byKey.delete(key);
    for (const key of wanted) {
      const secret = secretOf(key);
      const rv = secret?.metadata?.resourceVersion ?? '';
      if (this.byKey.get(key)?.resourceVersion === rv) continue;
      this.byKey.set(key, { resourceVersion: rv, context: this.contextOf(key, secret) });
    }
  }

  /** The context for a TLS entry, or the default certificate's. */
  contextFor(ref: TlsRef | undefined): SecureContext {
    if (!ref) return this.fallback;
    return this.byKey.get(`${ref.namespace}/${ref.secretName}`)?.context ?? this.fallback;
  }

  private contextOf(key: string, secret: Secret | undefined): SecureContext | undefined {
    if (!secret) {
      this.log.warn('TLS secret not found; its hosts get the default certificate', { secret: key });
      return undefined;
    }
    const cert = decode(secret.data?.['tls.crt']);
    const privateKey = decode(secret.data?.['tls.key']);
    if (!cert || !privateKey) {
      this.log.warn('TLS secret lacks tls.crt or tls.key; its hosts get the default certificate', {
        secret: key,
      });
      return undefined;
    }
    try {
      return tls.createSecureContext({ cert, key: privateKey });
    } catch (err) {
      this.log.warn('TLS secret holds no usable certificate and key; its hosts get the default certificate', {
        secret: key,
        error: err instanceof Error ? err.message : String(err),
      });
      return undefined;
    }
  }
}

function decode(base64: string | undefined): Buffer | undefined {
  if (!base64) return undefined;
  const bytes = Buffer.from(base64, 'base64');
  return bytes.length > 0 ? bytes : undefined;
}
