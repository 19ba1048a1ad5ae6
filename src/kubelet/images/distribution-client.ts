/**
 * OCI Distribution (registry v2 API) pulls: manifests and blobs of one repository, anonymous or with
 * credentials, answering `WWW-Authenticate` Bearer challenges with a token from the realm and Basic ones
 * with the username and password. Mirrors from registries.yaml are tried first, then the registry itself.
 */
import type { IncomingMessage } from 'node:http';
import type { AuthConfig } from '../cri/types.js';
import { HttpError, httpGet, readBody } from './http.js';
import {
  MANIFEST_ACCEPT,
  ManifestError,
  parseManifest,
  sha256Digest,
  type ImageIndex,
  type ImageManifest,
} from './manifest.js';
import type { ImageReference } from './reference.js';
import { registryEndpoints, type RegistriesConfig, type RegistryEndpoint } from './registries-config.js';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (one challenge; the first when several). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/g;
  for (const p of (m[2] ?? '').matchAll(re)) {
    params[(p[1] ?? '').toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme: (m[1] ?? '').toLowerCase(), params };
}

export class RegistryError extends Error {
  constructor(
    message: string,
    /** `NotFound` (no such image), `Unauthorized`, or `Unavailable` (network, server errors). */
    readonly reason: 'NotFound' | 'Unauthorized' | 'Unavailable' | 'Invalid',
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export interface FetchedManifest {
  digest: string;
  bytes: Buffer;
  manifest: ImageManifest | ImageIndex;
}

function basicCredentials(auth: AuthConfig | undefined): string | undefined {
  if (!auth) return undefined;
  if (auth.username !== undefined && auth.password !== undefined)
    return Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  return auth.auth;
}

/** One repository on one endpoint, with its cached authorization. */
export class RepositorySession {
  private authorization: string | undefined;

  constructor(
    readonly endpoint: RegistryEndpoint,
    readonly repository: string,
    private readonly auth: AuthConfig | undefined,
    private readonly idleTimeoutMs: number,
  ) {
    if (auth?.registryToken) this.authorization = `Bearer ${auth.registryToken}`;
  }

  /** GET a manifest by tag or digest; verifies the digest when asked by digest. */
  async manifest(reference: string): Promise<FetchedManifest> {
    const res = await this.get(`manifests/${reference}`, { accept: MANIFEST_ACCEPT });
    const bytes = await readBody(res, 4 << 20);
    const digest = sha256Digest(bytes);
    if (reference.startsWith('sha256:') && digest !== reference)
      throw new RegistryError(`manifest ${reference} has digest ${digest}`, 'Invalid');
    const contentType = res.headers['content-type'];
    try {
      return { digest, bytes, manifest: parseManifest(bytes, contentType) };
    } catch (err) {
      if (err instanceof ManifestError) throw new RegistryError(err.message, 'Invalid');
      throw err;
    }
  }

  /** The blob's body as a stream; the caller verifies the digest while consuming it. */
  async blob(digest: string): Promise<IncomingMessage> {
    return this.get(`blobs/${digest}`, {});
  }

  private async get(path: string, headers: Record<string, string>): Promise<IncomingMessage> {
    const url = `${this.endpoint.baseUrl}/v2/${this.repository}/${path}`;
    for (let attempt = 0; ; attempt++) {
      const h = { ...headers };
      if (this.authorization) h.authorization = this.authorization;
      let res: IncomingMessage;
      try {
        res = await httpGet(url, { ...this.endpoint, headers: h, idleTimeoutMs: this.idleTimeoutMs });
      } catch (err) {
        throw new RegistryError(`GET ${url}: ${(err as Error).message}`, 'Unavailable');
      }
      const status = res.statusCode ?? 0;
      if (status === 200) return res;
      const body = (await readBody(res, 64 << 10).catch(() => Buffer.alloc(0))).toString('utf8');
      if (status === 401 && attempt === 0) {
        const challenge = parseChallenge(String(res.headers['www-authenticate'] ?? ''));
        if (challenge) {
          this.authorization = await this.answer(challenge);
          continue;
        }
      }
      const error = new HttpError(url, status, body.trim());
      if (status === 401 || status === 403) throw new RegistryError(error.message, 'Unauthorized');
      if (status === 404) throw new RegistryError(error.message, 'NotFound');
      throw new RegistryError(error.message, 'Unavailable');
    }
  }

  private async answer(challenge: Challenge): Promise<string> {
    if (challenge.scheme === 'basic') {
      const basic = basicCredentials(this.auth);
      if (!basic) throw new RegistryError(`${this.endpoint.baseUrl} requires credentials`, 'Unauthorized');
      return `Basic ${basic}`;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm)
      throw new RegistryError(`unsupported authentication challenge "${challenge.scheme}"`, 'Unauthorized');
    const tokenUrl = new URL(challenge.params.realm);
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    tokenUrl.searchParams.set('scope', challenge.params.scope ?? `repository:${this.repository}:pull`);
    const headers: Record<string, string> = { accept: 'application/json' };
    const basic = basicCredentials(this.auth);
    let form: Record<string, string> | undefined;
    if (this.auth?.identityToken) {
      // An identity token is an OAuth2 refresh token: exchanged by a form POST (distribution's token spec).
      form = {
        grant_type: 'refresh_token',
        refresh_token: this.auth.identityToken,
        service: challenge.params.service ?? '',
        scope: tokenUrl.searchParams.get('scope') ?? '',
        client_id: 'tugboat',
      };
    } else if (basic) headers.authorization = `Basic ${basic}`;
    let res: IncomingMessage;
    try {
      res = await httpGet(tokenUrl.href, {
        ...this.endpoint,
        headers,
        idleTimeoutMs: this.idleTimeoutMs,
        ...(form ? { form } : {}),
      });
    } catch (err) {
      throw new RegistryError(
        `token request to ${tokenUrl.origin}: ${(err as Error).message}`,
        'Unavailable',
      );
    }
    const body = await readBody(res, 1 << 20);
    if (res.statusCode !== 200)
      throw new RegistryError(
        `token request to ${tokenUrl.origin}${tokenUrl.pathname}: HTTP ${res.statusCode}`,
        res.statusCode === 401 || res.statusCode === 403 ? 'Unauthorized' : 'Unavailable',
      );
    let token: unknown;
    try {
      const doc = JSON.parse(body.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = doc.token ?? doc.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '')
      throw new RegistryError(`token server ${tokenUrl.origin} returned no token`, 'Unauthorized');
    return `Bearer ${token}`;
  }
}

export interface DistributionClientOptions {
  registries: RegistriesConfig;
  idleTimeoutMs?: number;
}

export class DistributionClient {
  constructor(private readonly opts: DistributionClientOptions) {}

  /**
   * Opens the repository of `ref` on the first endpoint that serves its manifest, and returns that manifest.
   * `auth` (from imagePullSecrets) wins over credentials configured in registries.yaml.
   */
  async open(
    ref: ImageReference,
    auth?: AuthConfig,
  ): Promise<{ session: RepositorySession; fetched: FetchedManifest }> {
    const reference = ref.digest ?? ref.tag ?? 'latest';
    const errors: RegistryError[] = [];
    for (const endpoint of registryEndpoints(ref.registry, this.opts.registries)) {
      const session = new RepositorySession(
        endpoint,
        ref.repository,
        auth ?? endpoint.auth,
        this.opts.idleTimeoutMs ?? 60_000,
      );
      try {
        return { session, fetched: await session.manifest(reference) };
      } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        errors.push(err);
      }
    }
    // Report the registry's own answer (the last endpoint), with the mirrors' failures as context.
    const last = errors[errors.length - 1] ?? new RegistryError('no endpoints', 'Unavailable');
    if (errors.length > 1)
      throw new RegistryError(
        `${last.message} (mirrors: ${errors
          .slice(0, -1)
          .map((e) => e.message)
          .join('; ')})`,
        last.reason,
      );
    throw last;
  }
}
