/**
 * A tiny registry on 127.0.0.1 for tests that need a registry to misbehave or to demand authentication:
 * serves manifests and blobs from memory, optionally a Bearer token server or Basic auth, and counts requests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MediaType, sha256Digest } from '../../src/kubelet/images/manifest.js';
import { makeConfig, makeLayer, type FixtureLayer } from '../../src/kubelet/images/testing/tar-fixtures.js';

export interface FakeRegistryOptions {
  auth?: 'none' | 'bearer' | 'basic';
  username?: string;
  password?: string;
  /** Accept this OAuth2 refresh token (an identity token) at the token endpoint's POST. */
  refreshToken?: string;
  /** Blob digests served with one byte flipped. */
  corrupt?: Set<string>;
}

export interface FakeImage {
  repository: string;
  tag: string;
  configDigest: string;
  manifestDigest: string;
  layers: FixtureLayer[];
}

export class FakeRegistry {
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, { mediaType: string; bytes: Buffer }>();
  readonly requests: string[] = [];
  readonly tokenRequests: { authorization?: string; query: string; form?: Record<string, string> }[] = [];
  private server: Server | undefined;
  private readonly token = `tok-${process.pid}-${Date.now()}`;
  port = 0;

  constructor(private readonly opts: FakeRegistryOptions = {}) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Adds a one-layer OCI image with a file `hello` containing `content`. */
  async addImage(repository: string, tag: string, content: string): Promise<FakeImage> {
    const layer = await makeLayer([
      { name: 'hello', content, mode: 0o644 },
      { name: 'bin/', type: 'directory', mode: 0o755 },
    ]);
    const config = makeConfig([layer], ['/hello']);
    const configDigest = sha256Digest(config);
    this.blobs.set(configDigest, config);
    this.blobs.set(layer.digest, layer.gz);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: configDigest,
          size: config.length,
        },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: layer.digest,
            size: layer.gz.length,
          },
        ],
      }),
    );
    const manifestDigest = sha256Digest(manifest);
    for (const ref of [tag, manifestDigest])
      this.manifests.set(`${repository}:${ref}`, { mediaType: MediaType.ociManifest, bytes: manifest });
    return { repository, tag, configDigest, manifestDigest, layers: [layer] };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    this.requests.push(url.pathname);
    if (url.pathname === '/token') return this.issueToken(req, res, url);
    if (!this.authorized(req, res, url)) return;
    function send(status: number, body: Buffer | string, type = 'application/json'): void {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === '/v2/') return send(200, '{}');
    if (!m) return send(404, '{"errors":[{"code":"NOT_FOUND"}]}');
    const [, repo, kind, ref] = m;
    if (kind === 'manifests') {
      const man = this.manifests.get(`${repo}:${ref}`);
      if (!man) return send(404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      const accepted = String(req.headers.accept ?? '');
      if (!accepted.includes(man.mediaType)) return send(404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      return send(200, man.bytes, man.mediaType);
    }
    const blob = this.blobs.get(ref ?? '');
    if (!blob) return send(404, '{"errors":[{"code":"BLOB_UNKNOWN"}]}');
    if (this.opts.corrupt?.has(ref ?? '')) {
      const bad = Buffer.from(blob);
      bad[Math.floor(bad.length / 2)]! ^= 0xff;
      return send(200, bad, 'application/octet-stream');
    }
    return send(200, blob, 'application/octet-stream');
  }

  /** Answers 401 with a challenge and returns false unless the request carries the expected credentials. */
  private authorized(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const auth = this.opts.auth ?? 'none';
    if (auth === 'none') return true;
    const header = req.headers.authorization ?? '';
    if (auth === 'bearer' && header === `Bearer ${this.token}`) return true;
    if (auth === 'basic' && header === `Basic ${this.basic()}`) return true;
    const repo = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
    const challenge =
      auth === 'bearer'
        ? `Bearer realm="http://${this.host}/token",service="fake-registry",scope="repository:${repo}:pull"`
        : 'Basic realm="fake-registry"';
    res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    return false;
  }

  /** OAuth2 refresh-token grant: the identity token of a dockerconfigjson entry. */
  private issueOAuthToken(res: ServerResponse, url: URL, form: URLSearchParams): void {
    this.tokenRequests.push({ query: url.search, form: Object.fromEntries(form) });
    if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== this.opts.refreshToken) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"details":"bad refresh token"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: this.token, expires_in: 300 }));
  }

  private basic(): string {
    return Buffer.from(`${this.opts.username ?? ''}:${this.opts.password ?? ''}`).toString('base64');
  }

  private issueToken(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => this.issueOAuthToken(res, url, new URLSearchParams(body)));
      return;
    }
    const entry: { authorization?: string; query: string } = { query: url.search };
    if (req.headers.authorization) entry.authorization = req.headers.authorization;
    this.tokenRequests.push(entry);
    const needsCredentials = this.opts.username !== undefined || this.opts.refreshToken !== undefined;
    if (needsCredentials && req.headers.authorization !== `Basic ${this.basic()}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"details":"bad credentials"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: this.token, expires_in: 300 }));
  }
}
