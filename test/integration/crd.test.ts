/** CustomResourceDefinitions through the API: naming conflicts, multiple versions, CRD validation errors. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import { ApiClient, R, type ResourceType } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

let s: TestServer;
let client: ApiClient;
before(async () => {
  s = await startTestServer();
  client = new ApiClient({ server: s.url });
});
after(() => s.close());

const crds = () => client.resource<CustomResourceDefinition>(R.customResourceDefinitions);

const objectSchema = {
  openAPIV3Schema: {
    type: 'object',
    properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
  },
};

function gadgets(plural: string, kind: string, versions = ['v1']): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.gadgets.example.com` },
    spec: {
      group: 'gadgets.example.com',
      scope: 'Namespaced',
      names: { plural, kind },
      versions: versions.map((name, i) => ({ name, served: true, storage: i === 0, schema: objectSchema })),
    },
  };
}

const condition = (crd: CustomResourceDefinition, type: string) =>
  crd.status?.conditions?.find((c) => c.type === type);

async function established(name: string): Promise<CustomResourceDefinition> {
  return waitFor(async () => {
    const crd = await crds().get('', name);
    return condition(crd, 'Established')?.status === 'True' ? crd : undefined;
  });
}

test('a kind already served in the group is not accepted, and not served', async () => {
  await crds().create(gadgets('sprockets', 'Sprocket'));
  await established('sprockets.gadgets.example.com');
  await crds().create(gadgets('sprocketz', 'Sprocket'));
  const refused = await waitFor(async () => {
    const crd = await crds().get('', 'sprocketz.gadgets.example.com');
    return condition(crd, 'NamesAccepted')?.status === 'False' ? crd : undefined;
  });
  assert.equal(condition(refused, 'NamesAccepted')?.reason, 'KindConflict');
  assert.equal(condition(refused, 'NamesAccepted')?.message, '"Sprocket" is already in use');
  assert.equal(condition(refused, 'Established')?.status, 'False');
  const list = JSON.parse((await client.transport.request('GET', '/apis/gadgets.example.com/v1')).body) as {
    resources: { name: string }[];
  };
  assert.deepEqual(
    list.resources.map((r) => r.name),
    ['sprockets'],
  );
  // Once the CRD holding the kind goes, the refused one takes it.
  await crds().delete('', 'sprockets.gadgets.example.com');
  await established('sprocketz.gadgets.example.com');
});

test('a CRD that was never established is deleted at once', async () => {
  await crds().create(gadgets('pulleys', 'Pulley'));
  await established('pulleys.gadgets.example.com');
  await crds().create(gadgets('pulleyz', 'Pulley'));
  await waitFor(async () => {
    const crd = await crds().get('', 'pulleyz.gadgets.example.com');
    return condition(crd, 'NamesAccepted')?.status === 'False';
  });
  // Nothing to clean up: no cleanup wait.
  await crds().delete('', 'pulleyz.gadgets.example.com');
  await waitFor(() =>
    crds()
      .get('', 'pulleyz.gadgets.example.com')
      .then(() => false)
      .catch(() => true),
  );
});

test('every served version serves the same objects; the storage version is what is stored', async () => {
  await crds().create(gadgets('cogs', 'Cog', ['v1beta1', 'v1']));
  await established('cogs.gadgets.example.com');
  const at = (version: string): ResourceType => ({
    group: 'gadgets.example.com',
    version,
    resource: 'cogs',
    kind: 'Cog',
    namespaced: true,
  });
  await client
    .resource(at('v1'))
    .create({ metadata: { name: 'c', namespace: 'default' }, spec: { size: 3 } });
  const beta = await client.resource(at('v1beta1')).get('default', 'c');
  assert.equal(beta.apiVersion, 'gadgets.example.com/v1beta1');
  assert.deepEqual(beta.spec, { size: 3 });
  const group = JSON.parse((await client.transport.request('GET', '/apis/gadgets.example.com')).body) as {
    preferredVersion: { version: string };
  };
  assert.equal(group.preferredVersion.version, 'v1');
});

test('a CRD with invalid names and no storage version is refused with every field named', async () => {
  const bad = gadgets('Bad_Plural', 'Bad');
  bad.metadata!.name = 'wrong.gadgets.example.com';
  bad.spec.versions[0]!.storage = false;
  await assert.rejects(
    crds().create(bad),
    (err: Error & { status?: { details?: { causes?: { field: string }[] } } }) => {
      const fields = err.status?.details?.causes?.map((c) => c.field) ?? [];
      assert.ok(fields.includes('metadata.name'), fields.join());
      assert.ok(fields.includes('spec.names.plural'), fields.join());
      assert.ok(fields.includes('spec.versions'), fields.join());
      return true;
    },
  );
});

test('server-side apply prunes what the schema does not know (fieldValidation Warn, the default)', async () => {
  await crds().create(gadgets('gears', 'Gear'));
  await established('gears.gadgets.example.com');
  const gears: ResourceType = {
    group: 'gadgets.example.com',
    version: 'v1',
    resource: 'gears',
    kind: 'Gear',
    namespaced: true,
  };
  const body = {
    apiVersion: 'gadgets.example.com/v1',
    kind: 'Gear',
    metadata: { name: 'g' },
    spec: { size: 1, colour: 'red' },
    junk: true,
  };
  const opts = { fieldManager: 'test' };
  await client.resource(gears).patch('default', 'g', 'apply', body, opts);
  await client
    .resource(gears)
    .patch('default', 'g', 'apply', { ...body, spec: { size: 2, shape: 'round' } }, opts);
  const stored = await client.resource(gears).get('default', 'g');
  assert.deepEqual(stored.spec, { size: 2 });
  assert.equal((stored as Record<string, unknown>).junk, undefined);
});

test('server-side apply merges x-kubernetes-list-type map lists item by item between managers', async () => {
  const crd = gadgets('wheels', 'Wheel');
  // Declared apart: kubernetes-types' JSONSchemaProps lacks the x-kubernetes-* extensions.
  const openAPIV3Schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string' }, port: { type: 'integer' } },
            },
          },
          tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        },
      },
    },
  };
  crd.spec.versions[0]!.schema = { openAPIV3Schema };
  await crds().create(crd);
  await established('wheels.gadgets.example.com');
  const wheels: ResourceType = {
    group: 'gadgets.example.com',
    version: 'v1',
    resource: 'wheels',
    kind: 'Wheel',
    namespaced: true,
  };
  const apply = (manager: string, spec: object) =>
    client
      .resource(wheels)
      .patch(
        'default',
        'w',
        'apply',
        { apiVersion: 'gadgets.example.com/v1', kind: 'Wheel', metadata: { name: 'w' }, spec },
        { fieldManager: manager },
      );
  await apply('one', { ports: [{ name: 'http', port: 80 }], tags: ['a'] });
  const merged = await apply('two', { ports: [{ name: 'https', port: 443 }], tags: ['b'] });
  assert.deepEqual(merged.spec, {
    ports: [
      { name: 'http', port: 80 },
      { name: 'https', port: 443 },
    ],
    tags: ['a', 'b'],
  });
});
