/** Docker-style image references as the kubelet needs them: registry host, default tag, pull policy. */

/** `nginx` → `docker.io/library/nginx:latest`; digests and explicit tags are kept. */
export function normalizeImage(image: string): string {
  let ref = image.trim();
  const slash = ref.indexOf('/');
  const first = slash === -1 ? '' : ref.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  if (!hasRegistry) ref = `docker.io/${slash === -1 ? `library/${ref}` : ref}`;
  else if (first === 'index.docker.io') ref = `docker.io/${ref.slice(slash + 1)}`;
  if (ref.startsWith('docker.io/') && ref.split('/').length === 2) {
    ref = `docker.io/library/${ref.slice('docker.io/'.length)}`;
  }
  const lastSlash = ref.lastIndexOf('/');
  const name = ref.slice(lastSlash + 1);
  if (!ref.includes('@') && !name.includes(':')) ref += ':latest';
  return ref;
}

export function registryHost(image: string): string {
  const n = normalizeImage(image);
  return n.slice(0, n.indexOf('/'));
}

/** Upstream defaulting: no tag or `:latest` (and no digest) → Always, else IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const name = image.slice(image.lastIndexOf('/') + 1);
  const colon = name.indexOf(':');
  if (colon === -1) return 'Always';
  return name.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}
