/**
 * imagePullSecrets → CRI AuthConfigs for one image: `kubernetes.io/dockerconfigjson` (`{auths: {…}}`) and the
 * older `kubernetes.io/dockercfg`; entries whose registry matches the image's, most specific first.
 */
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { AuthConfig } from './cri/types.js';
import { normalizeImage } from './image-reference.js';

interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

function entries(secret: Secret): Record<string, DockerAuthEntry> {
  try {
    if (secret.type === 'kubernetes.io/dockerconfigjson') {
      const raw = secret.data?.['.dockerconfigjson'];
      if (!raw) return {};
      const parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as {
        auths?: Record<string, DockerAuthEntry>;
      };
      return parsed.auths ?? {};
    }
    if (secret.type === 'kubernetes.io/dockercfg') {
      const raw = secret.data?.['.dockercfg'];
      return raw
        ? (JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Record<string, DockerAuthEntry>)
        : {};
    }
  } catch {
    return {};
  }
  return {};
}

/** `https://index.docker.io/v1/` → `docker.io`; `http://reg:5000/v2/x` → `reg:5000/x`. */
function keyPath(key: string): string {
  let k = key.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
  k = k.replace(/\/v[12]$/, '').replace(/\/v[12]\//, '/');
  if (k === 'index.docker.io' || k === 'registry-1.docker.io' || k === 'registry.hub.docker.com')
    return 'docker.io';
  return k;
}

export function authConfigsFor(image: string, secrets: Secret[]): AuthConfig[] {
  const ref = normalizeImage(image);
  const matches: { len: number; auth: AuthConfig }[] = [];
  for (const s of secrets) {
    for (const [key, e] of Object.entries(entries(s))) {
      const prefix = keyPath(key);
      if (ref !== prefix && !ref.startsWith(`${prefix}/`)) continue;
      const auth: AuthConfig = {};
      let { username, password } = e;
      if (e.auth && !username) {
        const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon !== -1) {
          username = decoded.slice(0, colon);
          password = decoded.slice(colon + 1);
        }
      }
      if (username !== undefined) auth.username = username;
      if (password !== undefined) auth.password = password;
      if (e.auth) auth.auth = e.auth;
      if (e.identitytoken) auth.identityToken = e.identitytoken;
      if (e.registrytoken) auth.registryToken = e.registrytoken;
      matches.push({ len: prefix.length, auth });
    }
  }
  return matches.sort((a, b) => b.len - a.len).map((m) => m.auth);
}
