/**
 * The cluster CA as the csrsigning controller uses it (upstream's pkg/controller/certificates/authority): a
 * certificate for the request's subject, names and public key, with the usages the request asks for, never a
 * CA, valid from five minutes ago until the requested duration (or the signing duration) ends, but never past
 * the CA's own expiry. Only node:crypto here: the X.509 work is in `request-signing.ts`, loaded when needed.
 */
import { createPrivateKey, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import type { ParsedCsr } from '../../api/csr.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Upstream's --cluster-signing-duration default: a year. */
export const DEFAULT_SIGNING_DURATION_MS = 365 * 24 * HOUR_MS;
/** So that a client whose clock is a little behind already accepts a fresh certificate. */
const BACKDATE_MS = 5 * MINUTE_MS;
/** Below this lifetime the backdating is not taken off the end (it would be a noticeable share of it). */
const SHORT_LIFETIME_MS = 8 * HOUR_MS;
/** Twice the backdating: the shortest lifetime a request gets, whatever it asks for. */
const MIN_LIFETIME_MS = 10 * MINUTE_MS;

/** The lifetime of a certificate: what `spec.expirationSeconds` asks for, within [10 minutes, maxMs]. */
export function certificateLifetimeMs(expirationSeconds: number | undefined, maxMs: number): number {
  if (expirationSeconds === undefined) return maxMs;
  const requested = expirationSeconds * 1000;
  if (requested > maxMs) return maxMs;
  return requested < MIN_LIFETIME_MS ? MIN_LIFETIME_MS : requested;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

/** Upstream's PermissiveSigningPolicy times; throws when the CA has expired. */
export function certificateValidity(nowMs: number, lifetimeMs: number, caNotAfterMs: number): Validity {
  const notBefore = nowMs - BACKDATE_MS;
  let notAfter = lifetimeMs < SHORT_LIFETIME_MS ? nowMs + lifetimeMs : nowMs + lifetimeMs - BACKDATE_MS;
  if (notAfter >= caNotAfterMs) notAfter = caNotAfterMs;
  const caExpiry = new Date(caNotAfterMs).toISOString();
  if (notBefore >= caNotAfterMs) throw new Error(`the signer has expired: NotAfter=${caExpiry}`);
  if (nowMs >= caNotAfterMs)
    throw new Error(`refusing to sign a certificate that expired in the past: NotAfter=${caExpiry}`);
  return { notBefore: new Date(notBefore), notAfter: new Date(notAfter) };
}

interface SigningAlgorithm {
  importParams: webcrypto.AlgorithmIdentifier | webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  sign: webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams;
}

const EC_CURVES: Record<string, [curve: string, hash: string]> = {
  prime256v1: ['P-256', 'SHA-256'],
  secp384r1: ['P-384', 'SHA-384'],
  secp521r1: ['P-521', 'SHA-512'],
};

/** The signature Go's x509 picks for a CA key: ECDSA with the curve's hash, RSA PKCS#1 v1.5 SHA-256, Ed25519. */
function signingAlgorithm(key: KeyObject): SigningAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const params = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
      if (!params) throw new Error(`unsupported CA key curve ${key.asymmetricKeyDetails?.namedCurve}`);
      return {
        importParams: { name: 'ECDSA', namedCurve: params[0] },
        sign: { name: 'ECDSA', hash: params[1] },
      };
    }
    case 'rsa':
      return {
        importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        sign: { name: 'RSASSA-PKCS1-v1_5' },
      };
    case 'ed25519':
      return { importParams: { name: 'Ed25519' }, sign: { name: 'Ed25519' } };
    default:
      throw new Error(`unsupported CA key type ${key.asymmetricKeyType}`);
  }
}

/** A CA certificate and its private key (PEM). The constructor throws when they are unusable. */
export class CertificateAuthority {
  readonly notAfterMs: number;
  private readonly algorithm: SigningAlgorithm;
  private readonly keyDer: Buffer;
  private signingKey: Promise<webcrypto.CryptoKey> | undefined;

  constructor(
    private readonly certPem: string,
    keyPem: string,
  ) {
    const cert = new X509Certificate(certPem);
    const key = createPrivateKey(keyPem);
    if (!cert.checkPrivateKey(key)) throw new Error('the CA key does not belong to the CA certificate');
    this.notAfterMs = Date.parse(cert.validTo);
    this.algorithm = signingAlgorithm(key);
    this.keyDer = key.export({ format: 'der', type: 'pkcs8' });
  }

  /** A PEM certificate for the request, valid as `validity` says (see certificateValidity). */
  async issue(csr: ParsedCsr, usages: readonly string[], validity: Validity): Promise<string> {
    const { issueCertificate } = await import('./request-signing.js');
    const issuer = {
      certPem: this.certPem,
      signingKey: await this.key(),
      signingAlgorithm: this.algorithm.sign,
    };
    return issueCertificate(issuer, csr, usages, validity);
  }

  private key(): Promise<webcrypto.CryptoKey> {
    this.signingKey ??= webcrypto.subtle.importKey('pkcs8', this.keyDer, this.algorithm.importParams, false, [
      'sign',
    ]);
    return this.signingKey;
  }
}
