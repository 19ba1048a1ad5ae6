import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../src/api/errors.js';
import { ApiClient, R } from '../../src/client/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer } from '../helpers/api-server.js';

const TTL_MS = 3000;

function event(name: string): Event {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' },
    reason: 'Tested',
    message: 'hello',
    type: 'Normal',
  };
}

const exists = async (client: ApiClient, name: string): Promise<boolean> => {
  try {
    await client.resource<Event>(R.events).get('default', name);
    return true;
  } catch (err) {
    if (hasReason(err, 'NotFound')) return false;
    throw err;
  }
};

test('events go away the TTL after their last write, and a rewrite starts the TTL again', async () => {
  const server = await startTestServer({ eventTtlMs: TTL_MS });
  const client = new ApiClient({ server: server.url });
  const events = client.resource<Event>(R.events);
  try {
    await events.create(event('old'));
    await events.create(event('renewed'));
    await new Promise((r) => setTimeout(r, TTL_MS / 2));
    await events.patch('default', 'renewed', 'merge', { count: 2 });
    await waitFor(async () => !(await exists(client, 'old')), {
      message: 'first event expired',
      timeoutMs: 10_000,
    });
    assert.equal(await exists(client, 'renewed'), true, 'written again since: not expired yet');
    await waitFor(async () => !(await exists(client, 'renewed')), {
      message: 'second event expired after its own TTL',
      timeoutMs: 10_000,
    });
  } finally {
    client.close();
    await server.close();
  }
});

test('events already stored at start-up expire from their own timestamps', async () => {
  const store = new MemoryStore();
  const old = {
    ...event('stale'),
    metadata: {
      name: 'stale',
      namespace: 'default',
      uid: 'u-1',
      creationTimestamp: new Date(Date.now() - 2 * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    },
  };
  await store.create('/registry/core/events/default/stale', Buffer.from(JSON.stringify(old)));
  const server = await startTestServer({ store, eventTtlMs: 3_600_000 });
  const client = new ApiClient({ server: server.url });
  try {
    assert.equal(await exists(client, 'stale'), true, 'served from the store');
    // Two hours old with a TTL of one: gone at the first sweep.
    await waitFor(async () => !(await exists(client, 'stale')), {
      message: 'stale event expired',
      timeoutMs: 15_000,
    });
    await client.resource<Event>(R.events).create(event('fresh'));
    assert.equal(await exists(client, 'fresh'), true);
  } finally {
    client.close();
    await server.close();
  }
});
