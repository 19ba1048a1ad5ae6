import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rule, urlRule } from './policy-rule.js';
import { rulesCover } from './rules.js';

test('every verb × group × resource of a rule must be granted, by any of the owner rules', () => {
  const wanted = rule(['get', 'list'], ['', 'apps'], ['pods']);
  assert.ok(rulesCover([rule(['get', 'list'], [''], ['pods']), rule(['*'], ['apps'], ['pods'])], wanted));
  assert.ok(!rulesCover([rule(['get', 'list'], [''], ['pods'])], wanted));
  assert.ok(!rulesCover([rule(['get'], ['', 'apps'], ['pods'])], wanted));
});

test('wildcards: *, */scale', () => {
  assert.ok(rulesCover([rule(['*'], ['*'], ['*'])], rule(['delete'], ['batch'], ['jobs/status'])));
  assert.ok(rulesCover([rule(['get'], ['*'], ['*/scale'])], rule(['get'], ['apps'], ['deployments/scale'])));
  assert.ok(!rulesCover([rule(['get'], ['*'], ['*/scale'])], rule(['get'], ['apps'], ['deployments'])));
  assert.ok(
    !rulesCover([rule(['get'], ['apps'], ['deployments'])], rule(['get'], ['apps'], ['deployments/scale'])),
  );
});

test('resource names: an owner without names grants all; with names, only those', () => {
  const named = rule(['get'], [''], ['configmaps'], ['a']);
  assert.ok(rulesCover([rule(['get'], [''], ['configmaps'])], named));
  assert.ok(rulesCover([rule(['get'], [''], ['configmaps'], ['a', 'b'])], named));
  assert.ok(!rulesCover([rule(['get'], [''], ['configmaps'], ['b'])], named));
  assert.ok(!rulesCover([named], rule(['get'], [''], ['configmaps'])));
});

test('non-resource URLs, with trailing * prefixes', () => {
  assert.ok(rulesCover([urlRule(['get'], ['/apis/*'])], urlRule(['get'], ['/apis/apps'])));
  assert.ok(rulesCover([urlRule(['*'], ['*'])], urlRule(['get', 'post'], ['/healthz'])));
  assert.ok(!rulesCover([urlRule(['get'], ['/api'])], urlRule(['get'], ['/api/v1'])));
  assert.ok(!rulesCover([rule(['*'], ['*'], ['*'])], urlRule(['get'], ['/healthz'])));
});
