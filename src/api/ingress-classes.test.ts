import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import {
  isDefaultIngressClass,
  pickDefaultIngressClass,
  requestedIngressClass,
  tugboatIngressClass,
} from './ingress-classes.js';

const cls = (name: string, created: string, annotations: Record<string, string> = {}): IngressClass => ({
  metadata: { name, creationTimestamp: created, annotations },
});
const yes = { 'ingressclass.kubernetes.io/is-default-class': 'true' };

void test('a default IngressClass has the annotation set to exactly "true"', () => {
  assert.equal(isDefaultIngressClass(cls('a', 't', yes)), true);
  assert.equal(
    isDefaultIngressClass(cls('a', 't', { 'ingressclass.kubernetes.io/is-default-class': 'True' })),
    false,
  );
  assert.equal(isDefaultIngressClass(cls('a', 't')), false);
  assert.equal(isDefaultIngressClass({}), false);
});

void test('of several default classes the newest wins, then the first name; none without a default', () => {
  assert.equal(pickDefaultIngressClass([]), undefined);
  assert.equal(pickDefaultIngressClass([cls('plain', '2026-01-03T00:00:00Z')]), undefined);
  const picked = pickDefaultIngressClass([
    cls('old', '2026-01-01T00:00:00Z', yes),
    cls('zeta', '2026-01-02T00:00:00Z', yes),
    cls('alpha', '2026-01-02T00:00:00Z', yes),
    cls('newest-but-not-default', '2026-01-09T00:00:00Z'),
  ]);
  assert.equal(picked?.metadata?.name, 'alpha');
  const newest = pickDefaultIngressClass([
    cls('b', '2026-01-02T00:00:00Z', yes),
    cls('a', '2026-01-01T00:00:00Z', yes),
  ]);
  assert.equal(newest?.metadata?.name, 'b');
});

void test('the class an Ingress asks for: spec.ingressClassName, else the legacy annotation', () => {
  const legacy = { 'kubernetes.io/ingress.class': 'nginx' };
  assert.equal(requestedIngressClass({ spec: { ingressClassName: 'tugboat' } }), 'tugboat');
  assert.equal(
    requestedIngressClass({ metadata: { annotations: legacy }, spec: { ingressClassName: 'tugboat' } }),
    'tugboat',
  );
  assert.equal(requestedIngressClass({ metadata: { annotations: legacy }, spec: {} }), 'nginx');
  assert.equal(requestedIngressClass({ spec: {} }), undefined);
  assert.equal(requestedIngressClass({}), undefined);
});

void test('the tugboat IngressClass is the default and names the built-in controller', () => {
  const ic = tugboatIngressClass();
  assert.equal(ic.metadata?.name, 'tugboat');
  assert.equal(isDefaultIngressClass(ic), true);
  assert.equal(ic.spec?.controller, 'tugboat.dev/ingress-controller');
  assert.equal(ic.spec?.parameters, undefined);
  assert.notEqual(tugboatIngressClass(), ic, 'a fresh object each time');
  assert.notEqual(tugboatIngressClass().metadata, ic.metadata);
});
