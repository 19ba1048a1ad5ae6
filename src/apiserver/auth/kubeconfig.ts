import { writeFileAtomic } from './files.js';

export interface KubeconfigOptions {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  clusterName?: string;
  user?: string;
}

/**
 * A kubeconfig with one cluster, user and context (all credentials inline as *-data fields). Written out by hand
 * rather than with the YAML library: the server renders one at every start and would otherwise keep that
 * library in its heap for good.
 */
export function renderKubeconfig(opts: KubeconfigOptions): string {
  const cluster = scalar(opts.clusterName ?? 'default');
  const user = scalar(opts.user ?? 'default');
  const b64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `  - name: ${cluster}`,
    '    cluster:',
    `      server: ${scalar(opts.server)}`,
    `      certificate-authority-data: ${b64(opts.caPem)}`,
    'users:',
    `  - name: ${user}`,
    '    user:',
    `      client-certificate-data: ${b64(opts.clientCertPem)}`,
    `      client-key-data: ${b64(opts.clientKeyPem)}`,
    'contexts:',
    `  - name: ${cluster}`,
    '    context:',
    `      cluster: ${cluster}`,
    `      user: ${user}`,
    `current-context: ${cluster}`,
    'preferences: {}',
    '',
  ].join('\n');
}

/** A string as a YAML scalar: always double-quoted (a JSON string is one), so no value can be misread. */
function scalar(value: string): string {
  return JSON.stringify(value);
}

/** Write atomically with mode 0600: the file holds a private key. */
export function writeKubeconfig(path: string, text: string): Promise<void> {
  return writeFileAtomic(path, text, 0o600);
}
