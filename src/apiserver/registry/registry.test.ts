import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildResourceDefs, Registry } from './index.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDef } from './types.js';

function widgets(version = 'v1'): ResourceDef {
  return {
    group: 'example.com',
    version,
    kind: 'Widget',
    plural: 'widgets',
    singular: 'widget',
    namespaced: true,
    strategy: {},
  };
}

test('custom resources join and leave the served tables and the discovery order', () => {
  const registry = new Registry(buildResourceDefs({}));
  const builtin = registry.defs.length;
  registry.setCustom('widgets.example.com', widgets());
  assert.equal(registry.lookup('example.com', 'v1', 'widgets')?.def.kind, 'Widget');
  assert.equal(registry.get('example.com', 'widgets')?.kind, 'Widget');
  assert.deepEqual(registry.group('example.com')?.versions, ['v1']);
  assert.equal(registry.defs.length, builtin + 1);

  registry.setCustom('widgets.example.com', widgets('v2'));
  assert.equal(registry.lookup('example.com', 'v1', 'widgets'), undefined);
  assert.deepEqual(registry.group('example.com')?.versions, ['v2']);

  registry.removeCustom('widgets.example.com');
  assert.equal(registry.get('example.com', 'widgets'), undefined);
  assert.equal(registry.group('example.com'), undefined);
  assert.equal(registry.defs.length, builtin);
  assert.ok(registry.lookup('apps', 'v1', 'deployments'));
});

test('a storage version that is not served is known but not served', () => {
  const registry = new Registry(buildResourceDefs({}));
  registry.setCustom('widgets.example.com', { ...widgets(), servesCanonical: false });
  assert.equal(registry.lookup('example.com', 'v1', 'widgets'), undefined);
  assert.equal(registry.get('example.com', 'widgets')?.kind, 'Widget');
});

test("a custom resource's versions are listed in its order of preference", () => {
  const registry = new Registry(buildResourceDefs({}));
  const toV1 = (o: KubeObject): KubeObject => o;
  registry.setCustom('widgets.example.com', {
    ...widgets('v1beta1'),
    aliases: [{ group: 'example.com', version: 'v1', toCanonical: toV1, fromCanonical: toV1 }],
    versionOrder: ['v1', 'v1beta1'],
  });
  assert.deepEqual(registry.group('example.com')?.versions, ['v1', 'v1beta1']);
  assert.equal(registry.lookup('example.com', 'v1', 'widgets')?.alias?.version, 'v1');
});
