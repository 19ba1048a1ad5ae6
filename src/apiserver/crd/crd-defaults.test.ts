import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { defaultCrd, prepareCrdForCreate, prepareCrdForUpdate } from './crd-defaults.js';

const schema = { openAPIV3Schema: { type: 'object' } };

function crd(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', kind: 'CronTab' },
      preserveUnknownFields: false,
      versions: [
        { name: 'v1beta1', served: true, deprecated: false, schema },
        { name: 'v1', served: true, storage: true, schema },
      ],
    },
  };
}

void test('v1 defaults: names, conversion, the typed round trip of booleans', () => {
  const obj = crd();
  defaultCrd(obj);
  assert.deepEqual(obj.spec, {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', kind: 'CronTab', singular: 'crontab', listKind: 'CronTabList' },
    conversion: { strategy: 'None' },
    versions: [
      { name: 'v1beta1', served: true, storage: false, schema },
      { name: 'v1', served: true, storage: true, schema },
    ],
  });
  assert.deepEqual(obj.status, { storedVersions: ['v1'] });
});

void test('set names and conversion are kept; a webhook service gets port 443', () => {
  const obj = crd();
  const spec = obj.spec as Record<string, any>;
  spec.names = { plural: 'crontabs', kind: 'CronTab', singular: 'ct', listKind: 'CronTabs' };
  spec.conversion = {
    strategy: 'Webhook',
    webhook: { clientConfig: { service: { name: 's', namespace: 'n' } }, conversionReviewVersions: ['v1'] },
  };
  defaultCrd(obj);
  assert.deepEqual(spec.names, { plural: 'crontabs', kind: 'CronTab', singular: 'ct', listKind: 'CronTabs' });
  assert.deepEqual(spec.conversion.webhook.clientConfig.service, { name: 's', namespace: 'n', port: 443 });
  assert.equal(spec.conversion.webhook.conversionReviewVersions.length, 1);
});

void test('create: status reset to upstream zero values with the storage version stored', () => {
  const obj = crd();
  obj.status = { storedVersions: ['v0'], conditions: [{ type: 'Established', status: 'True' }] };
  prepareCrdForCreate(obj);
  assert.deepEqual(obj.status, { acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] });
});

void test('update: old status kept, a new storage version is added to storedVersions', () => {
  const old = crd();
  old.status = { storedVersions: ['v1beta1'], acceptedNames: { plural: 'crontabs', kind: 'CronTab' } };
  const obj = crd();
  obj.status = { storedVersions: [] };
  prepareCrdForUpdate(obj, old);
  assert.deepEqual(obj.status, {
    storedVersions: ['v1beta1', 'v1'],
    acceptedNames: { plural: 'crontabs', kind: 'CronTab' },
  });
  assert.deepEqual((old.status as Record<string, unknown>).storedVersions, ['v1beta1']);
  prepareCrdForUpdate(obj, crd());
  assert.deepEqual(obj.status, { storedVersions: ['v1'] });
});
