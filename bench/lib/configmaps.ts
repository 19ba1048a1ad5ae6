import type { ApiClient } from './http-client.js';

/** The same ~300-byte ConfigMap body throughout, so backends and phases compare like with like. */
const FILLER = 'tugboat-bench-'.repeat(18).slice(0, 240);

export interface ConfigMapObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  data: Record<string, string>;
}

export function configMap(name: string, data: Record<string, string> = {}): ConfigMapObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: 'tugboat-bench' } },
    data: { filler: FILLER, ...data },
  };
}

export const configMapsPath = (ns: string): string => `/api/v1/namespaces/${ns}/configmaps`;

export async function createNamespace(client: ApiClient, name: string): Promise<void> {
  await client.call('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
}
