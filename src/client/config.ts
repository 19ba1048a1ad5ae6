import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { yaml } from '../util/yaml.js';

/** Where and how to reach an API server: what a kubeconfig context boils down to. */
export interface ClientConfig {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  /** Connect to this Unix socket instead of the server URL's host and port (plain HTTP). */
  socketPath?: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  insecureSkipTLSVerify?: boolean;
  /** Default namespace of the context. */
  namespace?: string;
  /** Sent as User-Agent; the API server derives the default field manager from it. */
  userAgent?: string;
}

interface NamedEntry<T> {
  name: string;
  [field: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

type Fields = Record<string, unknown>;

/** Reads a kubeconfig file and resolves its current context (or `context`) to a ClientConfig. */
export async function loadKubeconfig(path: string, context?: string): Promise<ClientConfig> {
  const doc = (yaml().parse(await readFile(path, 'utf8')) ?? {}) as Fields;
  const base = dirname(resolve(path));
  const contextName = context ?? (doc['current-context'] as string | undefined);
  const pick = (list: unknown, name: string | undefined, what: string): Fields => {
    const entries = (Array.isArray(list) ? list : []) as NamedEntry<Fields>[];
    const found = name === undefined ? entries[0] : entries.find((e) => e.name === name);
    if (!found) throw new Error(`kubeconfig ${path}: no ${what} ${JSON.stringify(name ?? '')}`);
    return (found[what] as Fields | undefined) ?? {};
  };
  const ctx = pick(doc.contexts, contextName, 'context');
  const cluster = pick(doc.clusters, ctx.cluster as string | undefined, 'cluster');
  const user = pick(doc.users, ctx.user as string | undefined, 'user');
  const material = async (dataKey: string, fileKey: string, from: Fields): Promise<string | undefined> => {
    const data = from[dataKey];
    if (typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8');
    const file = from[fileKey];
    if (typeof file === 'string') return readFile(resolve(base, file), 'utf8');
    return undefined;
  };
  const server = cluster.server;
  if (typeof server !== 'string' || server === '')
    throw new Error(`kubeconfig ${path}: cluster has no server`);
  const token =
    typeof user.token === 'string'
      ? user.token
      : typeof user.tokenFile === 'string'
        ? (await readFile(resolve(base, user.tokenFile), 'utf8')).trim()
        : undefined;
  const config: ClientConfig = { server };
  const caPem = await material('certificate-authority-data', 'certificate-authority', cluster);
  const certPem = await material('client-certificate-data', 'client-certificate', user);
  const keyPem = await material('client-key-data', 'client-key', user);
  if (caPem) config.caPem = caPem;
  if (certPem) config.certPem = certPem;
  if (keyPem) config.keyPem = keyPem;
  if (token) config.token = token;
  if (cluster['insecure-skip-tls-verify'] === true) config.insecureSkipTLSVerify = true;
  if (typeof ctx.namespace === 'string') config.namespace = ctx.namespace;
  return config;
}
