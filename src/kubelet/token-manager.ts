/**
 * The kubelet's service account token manager (upstream pkg/kubelet/token): projected serviceAccountToken
 * sources get a token from the TokenRequest API bound to their pod, cached and requested again once 80 % of
 * its lifetime has passed or it is 24 h old, so the volume's file is rewritten in place before it expires.
 */
import type { Pod, ServiceAccountTokenProjection } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../util/clock.js';

/** What the TokenRequest API answers. */
export interface IssuedToken {
  token: string;
  /** ms since the epoch */
  expiresAt: number;
}

export interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds: number;
  boundObjectRef: { apiVersion: 'v1'; kind: 'Pod'; name: string; uid: string };
}

export type RequestToken = (
  namespace: string,
  serviceAccount: string,
  spec: TokenRequestSpec,
) => Promise<IssuedToken>;

/** The API's default lifetime of a projected token (ServiceAccountTokenProjection.expirationSeconds). */
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MAX_TTL_MS = 24 * 3600_000;
/** Refresh within the last 20 % of a token's lifetime. */
const REFRESH_FRACTION = 0.2;
const MAX_JITTER_MS = 10_000;

interface Cached extends IssuedToken {
  podUid: string;
  ttlMs: number;
}

export class TokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly request: RequestToken,
    private readonly clock: Clock,
    /** A fraction in [0, 1) spreading refreshes of many pods (upstream jitters up to 10 s). */
    private readonly jitter: () => number = () => 0,
  ) {}

  /** The token file's content for `source` of `pod`; a cached token while it is fresh enough. */
  async token(pod: Pod, source: ServiceAccountTokenProjection): Promise<string> {
    const ns = pod.metadata?.namespace ?? '';
    const podUid = pod.metadata?.uid ?? '';
    const account = pod.spec?.serviceAccountName || 'default';
    const expirationSeconds = source.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    const key = JSON.stringify([ns, account, source.audience ?? '', expirationSeconds, podUid]);
    const cached = this.cache.get(key);
    const now = this.clock.now();
    if (cached && !this.needsRefresh(cached, now)) return cached.token;
    try {
      const issued = await this.request(ns, account, {
        ...(source.audience ? { audiences: [source.audience] } : {}),
        expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name ?? '', uid: podUid },
      });
      this.cache.set(key, { ...issued, podUid, ttlMs: expirationSeconds * 1000 });
      return issued.token;
    } catch (err) {
      // As upstream: a refresh that fails keeps serving the old token while it is still valid.
      if (cached && cached.expiresAt > now) return cached.token;
      throw err;
    }
  }

  /** Forget the tokens of a pod that is gone. */
  forgetPod(uid: string): void {
    for (const [k, v] of this.cache) if (v.podUid === uid) this.cache.delete(k);
  }

  private needsRefresh(t: Cached, now: number): boolean {
    const jitterMs = this.jitter() * MAX_JITTER_MS;
    const issuedAt = t.expiresAt - t.ttlMs;
    if (now > issuedAt + MAX_TTL_MS - jitterMs) return true;
    return now > t.expiresAt - t.ttlMs * REFRESH_FRACTION - jitterMs;
  }
}
