import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { LEGACY_ISSUER } from './claims.js';

type Jose = typeof import('jose');
let jose: Promise<Jose> | undefined;
/** The JOSE library is loaded with the first token signed or verified: an idle server keeps ~9 MiB less. */
const loadJose = (): Promise<Jose> => (jose ??= import('jose'));

/** Signing algorithm of every service account token (RSA keys, as kube-apiserver and k3s generate). */
export const TOKEN_ALGORITHM = 'RS256';

/**
 * Signs service account tokens with the cluster's service account key. The key id is the base64url SHA-256 of
 * the public key's DER, as upstream computes it, so a verifier can pick the key.
 */
export class TokenSigner {
  private readonly key: KeyObject;
  readonly keyId: string;

  constructor(privateKeyPem: string) {
    this.key = createPrivateKey(privateKeyPem);
    this.keyId = keyIdOf(createPublicKey(this.key));
  }

  async sign(claims: object): Promise<string> {
    const { SignJWT } = await loadJose();
    return new SignJWT({ ...(claims as Record<string, unknown>) })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: this.keyId })
      .sign(this.key);
  }
}

export interface VerifyOptions {
  /** Accepted issuer of bound tokens. */
  issuer: string;
  /** A bound token must name at least one of these. */
  audiences: string[];
  /** Seconds since the epoch. */
  now: number;
}

/** Verifies signatures made by TokenSigner (with the public half of its key). */
export class TokenVerifier {
  private readonly key: KeyObject;

  constructor(publicOrPrivateKeyPem: string) {
    this.key = createPublicKey(publicOrPrivateKeyPem);
  }

  /** The public key as a JWK for signature verification. */
  jwk(keyId: string): Record<string, unknown> {
    const { n, e, kty } = this.key.export({ format: 'jwk' });
    return { use: 'sig', kty, kid: keyId, alg: TOKEN_ALGORITHM, n, e };
  }

  /** The verified payload; throws when the signature, issuer, audience or validity window is wrong. */
  async verify(
    token: string,
    opts: VerifyOptions,
  ): Promise<{ payload: Record<string, unknown>; legacy: boolean }> {
    const legacy = unverifiedClaims(token)?.iss === LEGACY_ISSUER;
    const { jwtVerify } = await loadJose();
    const { payload } = await jwtVerify(token, this.key, {
      algorithms: [TOKEN_ALGORITHM],
      issuer: legacy ? LEGACY_ISSUER : opts.issuer,
      ...(legacy ? {} : { audience: opts.audiences, requiredClaims: ['exp', 'iat', 'nbf'] }),
      currentDate: new Date(opts.now * 1000),
      clockTolerance: legacy ? 0 : 60, // upstream's leeway for nbf/exp
    });
    return { payload, legacy };
  }
}

/** A cheap shape test so only JWT-looking bearer tokens take the JWT path. */
export function looksLikeJwt(token: string): boolean {
  if (!token.startsWith('eyJ')) return false;
  const first = token.indexOf('.');
  if (first < 0) return false;
  const second = token.indexOf('.', first + 1);
  return second > first && token.indexOf('.', second + 1) < 0;
}

/** The claims of a JWT read without checking anything (to pick how to verify it, or after it was verified). */
export function unverifiedClaims(token: string): Record<string, unknown> | undefined {
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}
