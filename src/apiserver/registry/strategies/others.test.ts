import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nameValidators, otherStrategies } from './others.js';

void describe('otherStrategies', () => {
  void test('every strategy has a name validator and keys follow plural[.group]', () => {
    for (const key of Object.keys(otherStrategies)) {
      assert.ok(nameValidators[key], key);
      assert.match(key, /^[a-z]+(\.[a-z0-9.-]+)?$/);
    }
  });

  void test('name formats per kind', () => {
    assert.deepEqual(nameValidators.services?.('1web', false), [
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
    assert.deepEqual(nameValidators.namespaces?.('a.b', false), ['must not contain dots']);
    assert.deepEqual(nameValidators['clusterroles.rbac.authorization.k8s.io']?.('system:admin', false), []);
    assert.deepEqual(nameValidators.configmaps?.('a.b', false), []);
  });
});
