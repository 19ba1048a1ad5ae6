import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  isCIdentifier,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPercent,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from './names.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

void describe('isDNS1123Subdomain', () => {
  for (const ok of ['a', 'example.com', 'a-b.c-d', '0', 'a'.repeat(253)]) {
    void test(`valid ${ok.slice(0, 20)}`, () => assert.deepEqual(isDNS1123Subdomain(ok), []));
  }
  for (const bad of ['A', '-a', 'a-', 'a..b', 'a_b', '', '.a']) {
    void test(`invalid ${JSON.stringify(bad)}`, () =>
      assert.deepEqual(isDNS1123Subdomain(bad), [SUBDOMAIN_MSG]));
  }
  void test('too long', () =>
    assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']));
});

void describe('isDNS1123Label', () => {
  void test('valid', () => assert.deepEqual(isDNS1123Label('my-name'), []));
  void test('regex', () => assert.deepEqual(isDNS1123Label('My'), [LABEL_MSG]));
  void test('dots', () => assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']));
  void test('too long', () =>
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']));
});

void describe('isDNS1035Label', () => {
  void test('valid', () => assert.deepEqual(isDNS1035Label('web-1'), []));
  void test('leading digit', () =>
    assert.deepEqual(isDNS1035Label('1web'), [
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]));
});

void describe('isQualifiedName', () => {
  for (const ok of ['a', 'A_b.c-d', 'example.com/Name', 'k8s.io/x']) {
    void test(`valid ${ok}`, () => assert.deepEqual(isQualifiedName(ok), []));
  }
  void test('empty prefix', () => assert.deepEqual(isQualifiedName('/a'), ['prefix part must be non-empty']));
  void test('empty name', () => {
    const errs = isQualifiedName('a/');
    assert.equal(errs[0], 'name part must be non-empty');
    assert.equal(errs.length, 2);
  });
  void test('bad prefix', () => assert.deepEqual(isQualifiedName('A/b'), [`prefix part ${SUBDOMAIN_MSG}`]));
  void test('too long name', () =>
    assert.deepEqual(isQualifiedName('a'.repeat(64)), ['name part must be no more than 63 characters']));
});

void describe('misc', () => {
  void test('label value', () => {
    assert.deepEqual(isValidLabelValue(''), []);
    assert.deepEqual(isValidLabelValue('a.b_c-d'), []);
    assert.equal(isValidLabelValue('-a').length, 1);
  });
  void test('port name', () => {
    assert.deepEqual(isValidPortName('http'), []);
    assert.deepEqual(isValidPortName('123'), ['must contain at least one letter (a-z)']);
    assert.deepEqual(isValidPortName('a--b'), [
      'must contain consecutive hyphens'.replace('must', 'must not'),
    ]);
    assert.deepEqual(isValidPortName('-ab'), ['must not begin or end with a hyphen']);
    assert.deepEqual(isValidPortName('Http'), [
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
    assert.deepEqual(isValidPortName('abcdefghijklmnop'), ['must be no more than 15 characters']);
  });
  void test('port number', () => {
    assert.deepEqual(isValidPortNum(80), []);
    assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
    assert.deepEqual(isValidPortNum(65536), ['must be between 1 and 65535, inclusive']);
  });
  void test('env and c identifiers', () => {
    assert.deepEqual(isEnvVarName('MY_VAR.x-1'), []);
    assert.equal(isEnvVarName('1X').length, 1);
    assert.deepEqual(isEnvVarName('..'), ["must not be '..'"]);
    assert.deepEqual(isCIdentifier('_ok1'), []);
    assert.equal(isCIdentifier('no-dash').length, 1);
  });
  void test('percent', () => {
    assert.deepEqual(isValidPercent('25%'), []);
    assert.equal(isValidPercent('25').length, 1);
  });
  void test('generateName masks trailing dash', () => {
    assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
    assert.equal(nameIsDNSSubdomain('web-', false).length, 1);
  });
});
