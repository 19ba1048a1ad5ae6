import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isExemptResource, objectSelectorMatches, ruleMatches } from './matching.js';
import type { Webhook, WebhookRule } from './types.js';

const rule = (r: Partial<WebhookRule>): WebhookRule => ({
  operations: ['*'],
  apiGroups: ['*'],
  apiVersions: ['*'],
  resources: ['*'],
  scope: '*',
  ...r,
});
const pods = { group: '', version: 'v1', resource: 'pods' };
const namespaces = { group: '', version: 'v1', resource: 'namespaces' };
const nodes = { group: '', version: 'v1', resource: 'nodes' };
const create = { operation: 'CREATE' as const, subresource: '', namespace: 'default' };

describe('ruleMatches', () => {
  it('matches operations, groups and versions exactly or by *', () => {
    assert.ok(ruleMatches(rule({ operations: ['CREATE'] }), create, pods));
    assert.ok(!ruleMatches(rule({ operations: ['UPDATE'] }), create, pods));
    assert.ok(!ruleMatches(rule({ apiGroups: ['apps'] }), create, pods));
    assert.ok(!ruleMatches(rule({ apiVersions: ['v2'] }), create, pods));
  });

  it('reads resources as upstream: * is every resource but no subresource, */* everything', () => {
    const status = { ...create, subresource: 'status' };
    assert.ok(ruleMatches(rule({ resources: ['*'] }), create, pods));
    assert.ok(!ruleMatches(rule({ resources: ['*'] }), status, pods));
    assert.ok(ruleMatches(rule({ resources: ['*/*'] }), status, pods));
    assert.ok(ruleMatches(rule({ resources: ['pods/*'] }), status, pods));
    assert.ok(ruleMatches(rule({ resources: ['*/status'] }), status, pods));
    assert.ok(!ruleMatches(rule({ resources: ['pods'] }), status, pods));
    assert.ok(!ruleMatches(rule({ resources: ['pods/status'] }), create, pods));
  });

  it('counts namespaces as cluster-scoped for scope', () => {
    const nsCreate = { ...create, namespace: 'team-a' };
    assert.ok(!ruleMatches(rule({ scope: 'Namespaced' }), nsCreate, namespaces));
    assert.ok(ruleMatches(rule({ scope: 'Cluster' }), nsCreate, namespaces));
    assert.ok(ruleMatches(rule({ scope: 'Cluster' }), { ...create, namespace: '' }, nodes));
    assert.ok(!ruleMatches(rule({ scope: 'Cluster' }), create, pods));
    assert.ok(ruleMatches(rule({ scope: 'Namespaced' }), create, pods));
  });
});

describe('object selector', () => {
  const hook = { objectSelector: { matchLabels: { app: 'web' } } } as unknown as Webhook;
  it('matches when the new or the old object matches', () => {
    const web = { metadata: { labels: { app: 'web' } } };
    const other = { metadata: { labels: { app: 'db' } } };
    assert.ok(objectSelectorMatches(hook, web, undefined));
    assert.ok(objectSelectorMatches(hook, other, web));
    assert.ok(!objectSelectorMatches(hook, other, undefined));
    assert.ok(!objectSelectorMatches(hook, undefined, undefined));
    assert.ok(objectSelectorMatches({}, undefined, undefined));
  });
});

describe('exemptions', () => {
  it('leaves admission configuration kinds out', () => {
    assert.ok(isExemptResource('admissionregistration.k8s.io', 'validatingwebhookconfigurations'));
    assert.ok(!isExemptResource('', 'configmaps'));
  });
});
