import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../../store/memory/memory-store.js';
import { buildResourceDefs, Registry } from '../registry/index.js';
import { ObjectStorage } from '../storage/object-storage.js';
import { endpointServiceResolver } from './service-resolver.js';

async function setup(): Promise<{ storage: ObjectStorage; registry: Registry }> {
  const registry = new Registry(buildResourceDefs({}));
  const storage = new ObjectStorage(new MemoryStore());
  await storage.create(registry.mustGet('', 'services'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'hooks', namespace: 'sys' },
    spec: {
      ports: [
        { name: 'https', port: 443, targetPort: 8443 },
        { name: 'metrics', port: 9090 },
      ],
    },
  });
  return { storage, registry };
}

describe('endpointServiceResolver', () => {
  it('calls a ready address on the endpoint port named as the service port', async () => {
    const { storage, registry } = await setup();
    await storage.create(registry.mustGet('', 'endpoints'), {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'hooks', namespace: 'sys' },
      subsets: [
        {
          addresses: [{ ip: '10.42.0.7' }],
          ports: [
            { name: 'metrics', port: 9090 },
            { name: 'https', port: 8443 },
          ],
        },
      ],
    });
    const resolve = endpointServiceResolver(storage, registry);
    assert.deepEqual(await resolve({ namespace: 'sys', name: 'hooks' }), { host: '10.42.0.7', port: 8443 });
    await assert.rejects(resolve({ namespace: 'sys', name: 'hooks', port: 8080 }), /no service port 8080/);
    await assert.rejects(resolve({ namespace: 'sys', name: 'gone' }), /service "gone" not found/);
  });

  it('says so when the service has no ready endpoints', async () => {
    const { storage, registry } = await setup();
    await assert.rejects(
      endpointServiceResolver(storage, registry)({ namespace: 'sys', name: 'hooks' }),
      /service "hooks" does not have ready endpoints/,
    );
  });
});
