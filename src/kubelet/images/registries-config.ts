/**
 * `registries.yaml` in the data dir, in k3s' shape:
 *
 *   mirrors:
 *     docker.io:
 *       endpoint: ["https://mirror.example.com:5000", "http://10.0.0.5:5000"]
 *     "*":                       # for every registry without its own entry
 *       endpoint: ["https://cache.example.com"]
 *   configs:
 *     mirror.example.com:5000:
 *       auth: { username: u, password: p }      # or auth: base64(u:p), identity_token
 *       tls: { insecure_skip_verify: true, ca_file: /path/ca.pem }
 *     10.0.0.7:5000:
 *       plain_http: true          # tugboat's addition: reach this registry over http:// without a mirror
 *
 * Mirrors are tried in order, then the registry itself. An `http://` endpoint is plain HTTP; loopback
 * registries are plain HTTP without any configuration.
 */
import { readFile } from 'node:fs/promises';
import { yaml } from '../../util/yaml.js';
import type { AuthConfig } from '../cri/types.js';
import { isLoopbackRegistry, registryEndpointHost } from './reference.js';

export interface RegistryHostConfig {
  auth?: AuthConfig;
  insecureSkipVerify: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  plainHttp: boolean;
}

export interface RegistriesConfig {
  mirrors: Record<string, string[]>;
  configs: Record<string, RegistryHostConfig>;
}

/** One place to try a pull from. */
export interface RegistryEndpoint {
  /** `http(s)://host[:port]` plus an optional path prefix before `/v2/`, no trailing slash. */
  baseUrl: string;
  insecureSkipVerify: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Credentials configured for this endpoint's host (imagePullSecrets take precedence). */
  auth?: AuthConfig;
}

export class RegistriesConfigError extends Error {
  constructor(message: string) {
    super(`registries.yaml: ${message}`);
    this.name = 'RegistriesConfigError';
  }
}

export const emptyRegistriesConfig = (): RegistriesConfig => ({ mirrors: {}, configs: {} });

export function parseRegistriesConfig(text: string): RegistriesConfig {
  let doc: unknown;
  try {
    doc = yaml().parse(text);
  } catch (err) {
    throw new RegistriesConfigError((err as Error).message);
  }
  const out = emptyRegistriesConfig();
  if (doc === null || doc === undefined) return out;
  const root = asMap(doc, 'the document');
  for (const key of Object.keys(root)) {
    if (key !== 'mirrors' && key !== 'configs') throw new RegistriesConfigError(`unknown key "${key}"`);
  }
  for (const [name, value] of Object.entries(asMap(root.mirrors ?? {}, 'mirrors'))) {
    const mirror = asMap(value ?? {}, `mirrors.${name}`);
    const endpoints = mirror.endpoint ?? [];
    if (!Array.isArray(endpoints) || endpoints.some((e) => typeof e !== 'string'))
      throw new RegistriesConfigError(`mirrors.${name}.endpoint must be a list of URLs`);
    out.mirrors[name] = (endpoints as string[]).map((e) => normalizeEndpoint(e, `mirrors.${name}.endpoint`));
  }
  for (const [host, value] of Object.entries(asMap(root.configs ?? {}, 'configs'))) {
    out.configs[stripScheme(host)] = parseHostConfig(
      asMap(value ?? {}, `configs.${host}`),
      `configs.${host}`,
    );
  }
  return out;
}

/** Reads `file`; a missing file is an empty configuration. */
export async function loadRegistriesConfig(file: string): Promise<RegistriesConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyRegistriesConfig();
    throw err;
  }
  return parseRegistriesConfig(text);
}

/** Where to pull `registry`'s images from, in the order to try. */
export function registryEndpoints(registry: string, config: RegistriesConfig): RegistryEndpoint[] {
  const mirrors = config.mirrors[registry] ?? config.mirrors['*'] ?? [];
  const out = mirrors.map((url) => endpointFor(url, config));
  const own = config.configs[registry];
  const plain = isLoopbackRegistry(registry) || own?.plainHttp === true;
  const defaultUrl = `${plain ? 'http' : 'https'}://${registryEndpointHost(registry)}`;
  if (!out.some((e) => e.baseUrl === defaultUrl)) {
    const e = endpointFor(defaultUrl, config);
    // Credentials configured under the registry's own name apply to its default endpoint.
    if (!e.auth && own?.auth) e.auth = own.auth;
    out.push(e);
  }
  return out;
}

function endpointFor(url: string, config: RegistriesConfig): RegistryEndpoint {
  const host = new URL(url).host;
  const c = config.configs[host];
  const e: RegistryEndpoint = { baseUrl: url, insecureSkipVerify: c?.insecureSkipVerify ?? false };
  if (c?.auth) e.auth = c.auth;
  if (c?.caFile) e.caFile = c.caFile;
  if (c?.certFile) e.certFile = c.certFile;
  if (c?.keyFile) e.keyFile = c.keyFile;
  return e;
}

function parseHostConfig(m: Record<string, unknown>, where: string): RegistryHostConfig {
  const out: RegistryHostConfig = { insecureSkipVerify: false, plainHttp: false };
  for (const [k, v] of Object.entries(m)) {
    if (k === 'auth') {
      const a = asMap(v ?? {}, `${where}.auth`);
      const auth: AuthConfig = {};
      const username = optString(a.username, `${where}.auth.username`);
      const password = optString(a.password, `${where}.auth.password`);
      const encoded = optString(a.auth, `${where}.auth.auth`);
      const identityToken = optString(a.identity_token, `${where}.auth.identity_token`);
      if (username !== undefined) auth.username = username;
      if (password !== undefined) auth.password = password;
      if (encoded !== undefined) auth.auth = encoded;
      if (identityToken !== undefined) auth.identityToken = identityToken;
      out.auth = auth;
    } else if (k === 'tls') {
      const t = asMap(v ?? {}, `${where}.tls`);
      const skip = t.insecure_skip_verify;
      if (skip !== undefined && typeof skip !== 'boolean')
        throw new RegistriesConfigError(`${where}.tls.insecure_skip_verify must be true or false`);
      out.insecureSkipVerify = skip === true;
      const caFile = optString(t.ca_file, `${where}.tls.ca_file`);
      const certFile = optString(t.cert_file, `${where}.tls.cert_file`);
      const keyFile = optString(t.key_file, `${where}.tls.key_file`);
      if (caFile !== undefined) out.caFile = caFile;
      if (certFile !== undefined) out.certFile = certFile;
      if (keyFile !== undefined) out.keyFile = keyFile;
    } else if (k === 'plain_http') {
      if (typeof v !== 'boolean')
        throw new RegistriesConfigError(`${where}.plain_http must be true or false`);
      out.plainHttp = v;
    } else {
      throw new RegistriesConfigError(`unknown key "${where}.${k}"`);
    }
  }
  return out;
}

function normalizeEndpoint(raw: string, where: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new RegistriesConfigError(`${where}: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RegistriesConfigError(`${where}: "${raw}" must be http:// or https://`);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v2$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

function stripScheme(host: string): string {
  return host.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

function asMap(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new RegistriesConfigError(`${where} must be a mapping`);
  return v as Record<string, unknown>;
}

function optString(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RegistriesConfigError(`${where} must be a string`);
  return v;
}
