import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiateOpenApiV2 } from './negotiate.js';

test('kubectl asks for the deprecated protobuf spelling only', () => {
  assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), 'protobuf');
  assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), 'protobuf');
});

test('JSON when asked for, or for any type, or without Accept', () => {
  assert.equal(negotiateOpenApiV2('application/json'), 'json');
  assert.equal(negotiateOpenApiV2('application/json, */*'), 'json');
  assert.equal(negotiateOpenApiV2('*/*'), 'json');
  assert.equal(negotiateOpenApiV2('application/*'), 'json');
  assert.equal(negotiateOpenApiV2(undefined), 'json');
  assert.equal(negotiateOpenApiV2(''), 'json');
});

test('preference by q, then by specificity', () => {
  assert.equal(
    negotiateOpenApiV2('application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf'),
    'protobuf',
  );
  assert.equal(
    negotiateOpenApiV2('*/*, application/com.github.proto-openapi.spec.v2.v1.0+protobuf'),
    'protobuf',
  );
});

test('nothing acceptable: undefined (406)', () => {
  assert.equal(negotiateOpenApiV2('text/html'), undefined);
  assert.equal(negotiateOpenApiV2('application/yaml'), undefined);
  assert.equal(negotiateOpenApiV2('application/vnd.kubernetes.protobuf'), undefined);
});
