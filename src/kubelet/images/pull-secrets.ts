/**
 * Credentials from `kubernetes.io/dockerconfigjson` Secrets (imagePullSecrets), matched to an image the way
 * the kubelet's keyring does: a key is a host (optionally with scheme, port, path and `*` label globs);
 * the most specific matching key wins, and among equals the earlier secret.
 */
import type { AuthConfig } from '../cri/types.js';
import { DOCKER_HUB, parseReference } from './reference.js';

/** The `data` of one Secret (values base64, as the API returns them). */
export type SecretData = Record<string, string>;

interface DockerConfigEntry {
  username?: unknown;
  password?: unknown;
  auth?: unknown;
  identitytoken?: unknown;
  registrytoken?: unknown;
  email?: unknown;
}

interface Candidate {
  host: string;
  path: string;
  auth: AuthConfig;
  specificity: number;
}

const HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/** The AuthConfig to pull `image` with, or undefined for anonymous access. Malformed secrets are skipped. */
export function selectPullAuth(image: string, secrets: SecretData[]): AuthConfig | undefined {
  const ref = parseReference(image);
  const path = `${ref.repository}`;
  let best: Candidate | undefined;
  for (const data of secrets) {
    for (const c of candidates(data)) {
      if (!hostMatches(c.host, ref.registry)) continue;
      if (c.path !== '' && !(path === c.path || path.startsWith(`${c.path}/`))) continue;
      if (!best || c.specificity > best.specificity) best = c;
    }
  }
  return best?.auth;
}

function candidates(data: SecretData): Candidate[] {
  const raw = data['.dockerconfigjson'];
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch {
    return [];
  }
  const auths = (parsed as { auths?: unknown })?.auths;
  if (typeof auths !== 'object' || auths === null) return [];
  const out: Candidate[] = [];
  for (const [key, value] of Object.entries(auths as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    const auth = toAuthConfig(value);
    if (!auth) continue;
    const { host, path } = splitKey(key);
    if (host === '') continue;
    // More literal host characters and a longer path are more specific than globs.
    const specificity = host.replace(/\*/g, '').length * 1000 + path.length;
    out.push({ host, path, auth, specificity });
  }
  return out;
}

function toAuthConfig(e: DockerConfigEntry): AuthConfig | undefined {
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const auth: AuthConfig = {};
  let username = str(e.username);
  let password = str(e.password);
  const encoded = str(e.auth);
  if (encoded !== undefined && (username === undefined || password === undefined)) {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username ??= decoded.slice(0, colon);
      password ??= decoded.slice(colon + 1);
    }
  }
  if (username !== undefined) auth.username = username;
  if (password !== undefined) auth.password = password;
  if (encoded !== undefined) auth.auth = encoded;
  const identityToken = str(e.identitytoken);
  if (identityToken !== undefined) auth.identityToken = identityToken;
  const registryToken = str(e.registrytoken);
  if (registryToken !== undefined) auth.registryToken = registryToken;
  return Object.keys(auth).length > 0 ? auth : undefined;
}

function splitKey(key: string): { host: string; path: string } {
  let rest = key.trim().replace(/^[a-z]+:\/\//i, '');
  const slash = rest.indexOf('/');
  let path = '';
  if (slash >= 0) {
    path = rest.slice(slash + 1).replace(/\/+$/, '');
    rest = rest.slice(0, slash);
  }
  let host = rest.toLowerCase();
  // Docker Hub's historical key is https://index.docker.io/v1/: the `v1` is an API version, not a path.
  if (HUB_ALIASES.has(host)) {
    host = DOCKER_HUB;
    if (path === 'v1' || path === 'v2') path = '';
  }
  return { host, path };
}

function hostMatches(pattern: string, registry: string): boolean {
  const target = registry.toLowerCase();
  if (!pattern.includes('*')) return pattern === target;
  const [patternHost, patternPort] = splitPort(pattern);
  const [targetHost, targetPort] = splitPort(target);
  if (patternPort !== targetPort) return false;
  const p = patternHost.split('.');
  const t = targetHost.split('.');
  if (p.length !== t.length) return false;
  return p.every((label, i) => globLabel(label, t[i] ?? ''));
}

function splitPort(host: string): [string, string] {
  const m = /^(.*?)(?::(\d+))?$/.exec(host);
  return [m?.[1] ?? host, m?.[2] ?? ''];
}

function globLabel(pattern: string, label: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('[^.]*')}$`);
  return re.test(label);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
