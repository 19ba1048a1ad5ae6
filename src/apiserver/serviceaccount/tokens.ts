import { randomUUID } from 'node:crypto';
import {
  boundClaims,
  boundSubject,
  EXTRA_CREDENTIAL_ID,
  EXTRA_NODE_NAME,
  EXTRA_NODE_UID,
  EXTRA_POD_NAME,
  EXTRA_POD_UID,
  legacySubject,
  serviceAccountGroups,
  serviceAccountUsername,
  type Ref,
  type TokenSubject,
} from '../../api/serviceaccount/claims.js';
import { TOKEN_ALGORITHM, TokenSigner, TokenVerifier } from '../../api/serviceaccount/jwt.js';
import type { StoredObject } from '../../api/meta.js';
import type { Clock } from '../../util/clock.js';
import type { UserInfo } from '../config.js';

/** Reads the objects a token names (the API server's storage). */
export interface TokenObjectGetter {
  get(
    resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes',
    namespace: string,
    name: string,
  ): Promise<StoredObject | undefined>;
}

export interface ServiceAccountTokenOptions {
  /** PEM private key (PKCS#8 or PKCS#1, RSA). */
  signingKeyPem: string;
  issuer: string;
  /** Audiences the API accepts; the first is the default audience of requested tokens. */
  apiAudiences: string[];
  clock: Clock;
  newJti?: () => string;
  /**
   * Upstream --service-account-extend-token-expiration (default true): a pod-bound token asked for with the
   * admission plugin's 3607 s for the API's audiences is signed for a year, so clients that read the file once
   * keep working; the kubelet still refreshes it after 80 % of the 3607 s.
   */
  extendExpiration?: boolean;
  /** How long a successful verification is reused (upstream caches token results 10 s). Default 5 s. */
  cacheTtlMs?: number;
}

export interface IssueRequest {
  namespace: string;
  serviceAccount: Ref;
  audiences: string[];
  expirationSeconds: number;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
}

export class TokenInvalidError extends Error {}

/** A pod bound token stays valid this long after the pod's deletionTimestamp (upstream's grace). */
const DELETED_POD_GRACE_SECONDS = 60;
const CACHE_LIMIT = 4096;
/** The lifetime the ServiceAccount admission plugin asks for, marking tokens that may be extended. */
const WARN_ONLY_EXPIRATION_SECONDS = 3607;
/** Upstream ExpirationExtensionSeconds: one year. */
const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 3600;

/**
 * Issues bound service account tokens and authenticates service account tokens (bound and legacy), as
 * kube-apiserver's serviceaccount token generator and validators do.
 */
export class ServiceAccountTokens {
  private readonly signer: TokenSigner;
  private readonly verifier: TokenVerifier;
  private readonly cache = new Map<string, { user: UserInfo; until: number; audiences: string }>();

  constructor(
    private readonly opts: ServiceAccountTokenOptions,
    private readonly objects: TokenObjectGetter,
  ) {
    this.signer = new TokenSigner(opts.signingKeyPem);
    this.verifier = new TokenVerifier(opts.signingKeyPem);
  }

  get issuer(): string {
    return this.opts.issuer;
  }

  get apiAudiences(): string[] {
    return [...this.opts.apiAudiences];
  }

  /** The public key set (served at /openid/v1/jwks, upstream's service account issuer discovery). */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [this.verifier.jwk(this.signer.keyId)] };
  }

  /** The OpenID provider configuration (served at /.well-known/openid-configuration). */
  openIdConfiguration(): Record<string, unknown> {
    return {
      issuer: this.opts.issuer,
      jwks_uri: `${this.opts.issuer}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [TOKEN_ALGORITHM],
    };
  }

  /** Signs a bound token; returns it with its expiry (ms since the epoch). */
  async issue(r: IssueRequest): Promise<{ token: string; expiresAt: number }> {
    const now = Math.floor(this.opts.clock.now() / 1000);
    const extend =
      (this.opts.extendExpiration ?? true) &&
      r.pod !== undefined &&
      r.expirationSeconds === WARN_ONLY_EXPIRATION_SECONDS &&
      r.audiences.every((a) => this.opts.apiAudiences.includes(a));
    const claims = boundClaims({
      issuer: this.opts.issuer,
      audiences: r.audiences,
      now,
      expirationSeconds: extend ? EXTENDED_EXPIRATION_SECONDS : r.expirationSeconds,
      ...(extend ? { warnAfterSeconds: r.expirationSeconds } : {}),
      jti: (this.opts.newJti ?? randomUUID)(),
      serviceAccount: { namespace: r.namespace, ...r.serviceAccount },
      ...(r.pod ? { pod: r.pod } : {}),
      ...(r.secret ? { secret: r.secret } : {}),
      ...(r.node ? { node: r.node } : {}),
    });
    // The answer names the lifetime asked for, even when the token itself lasts longer (as upstream).
    return { token: await this.signer.sign(claims), expiresAt: (now + r.expirationSeconds) * 1000 };
  }

  /**
   * The user a token stands for. Throws TokenInvalidError when the signature, issuer, audience or expiry is
   * wrong, or the service account (or the pod or secret it is bound to) is gone or was re-created.
   */
  async authenticate(token: string, audiences: string[] = this.opts.apiAudiences): Promise<UserInfo> {
    const nowMs = this.opts.clock.now();
    const audKey = audiences.join('\n');
    const hit = this.cache.get(token);
    if (hit && hit.until > nowMs && hit.audiences === audKey) return cloneUser(hit.user);
    let subject: TokenSubject;
    try {
      const { payload, legacy } = await this.verifier.verify(token, {
        issuer: this.opts.issuer,
        audiences,
        now: Math.floor(nowMs / 1000),
      });
      subject = legacy ? legacySubject(payload) : boundSubject(payload);
    } catch (err) {
      throw new TokenInvalidError(`invalid bearer token: ${(err as Error).message}`);
    }
    const user = await this.validateObjects(subject, token, nowMs);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(token, { user, until: nowMs + (this.opts.cacheTtlMs ?? 5000), audiences: audKey });
    return cloneUser(user);
  }

  private async validateObjects(s: TokenSubject, token: string, nowMs: number): Promise<UserInfo> {
    const sa = await this.objects.get('serviceaccounts', s.namespace, s.serviceAccount.name);
    if (!sa || sa.metadata.deletionTimestamp) throw invalidated('service account', s.serviceAccount.name);
    if (sa.metadata.uid !== s.serviceAccount.uid) throw invalidated('service account', s.serviceAccount.name);
    const extra: Record<string, string[]> = {};
    if (s.secret) {
      const secret = await this.objects.get('secrets', s.namespace, s.secret.name);
      if (!secret || secret.metadata.deletionTimestamp) throw invalidated('secret', s.secret.name);
      if (s.legacy) {
        // A legacy token is valid while its secret still holds it.
        const held = (secret.data as Record<string, string> | undefined)?.token;
        if (!held || Buffer.from(held, 'base64').toString('utf8') !== token) {
          throw invalidated('secret', s.secret.name);
        }
      } else if (secret.metadata.uid !== s.secret.uid) throw invalidated('secret', s.secret.name);
    }
    if (s.pod) {
      const pod = await this.objects.get('pods', s.namespace, s.pod.name);
      if (!pod || pod.metadata.uid !== s.pod.uid) throw invalidated('pod', s.pod.name);
      const deleted = pod.metadata.deletionTimestamp;
      if (deleted && Date.parse(deleted) < nowMs - DELETED_POD_GRACE_SECONDS * 1000) {
        throw invalidated('pod', s.pod.name);
      }
      extra[EXTRA_POD_NAME] = [s.pod.name];
      extra[EXTRA_POD_UID] = [s.pod.uid];
    }
    if (s.node) {
      // As upstream: a node that is gone invalidates only tokens bound to the node itself, not pod tokens.
      if (!s.pod) {
        const node = await this.objects.get('nodes', '', s.node.name);
        if (!node || node.metadata.uid !== s.node.uid) throw invalidated('node', s.node.name);
      }
      extra[EXTRA_NODE_NAME] = [s.node.name];
      if (s.node.uid) extra[EXTRA_NODE_UID] = [s.node.uid];
    }
    if (s.jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${s.jti}`];
    const user: UserInfo = {
      username: serviceAccountUsername(s.namespace, s.serviceAccount.name),
      uid: s.serviceAccount.uid,
      groups: serviceAccountGroups(s.namespace),
    };
    if (Object.keys(extra).length > 0) user.extra = extra;
    return user;
  }
}

function invalidated(what: string, name: string): TokenInvalidError {
  return new TokenInvalidError(`service account token has been invalidated (${what} ${name})`);
}

function cloneUser(u: UserInfo): UserInfo {
  const c: UserInfo = { username: u.username, groups: [...u.groups] };
  if (u.uid !== undefined) c.uid = u.uid;
  if (u.extra) c.extra = Object.fromEntries(Object.entries(u.extra).map(([k, v]) => [k, [...v]]));
  return c;
}
