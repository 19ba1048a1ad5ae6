import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from './errors.js';
import { escapeFieldValue, fieldSelectorFromSet, parseFieldSelector } from './fields.js';

void describe('parseFieldSelector', () => {
  const match: [string, Record<string, string>, boolean][] = [
    ['', {}, true],
    ['metadata.name=x', { 'metadata.name': 'x' }, true],
    ['metadata.name==x', { 'metadata.name': 'x' }, true],
    ['metadata.name=x', { 'metadata.name': 'y' }, false],
    ['status.phase!=Running', { 'status.phase': 'Pending' }, true],
    ['status.phase!=Running', { 'status.phase': 'Running' }, false],
    ['spec.nodeName=', { 'spec.nodeName': '' }, true],
    ['spec.nodeName=', {}, true],
    [
      'spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed',
      { 'spec.nodeName': 'n1', 'status.phase': 'Running' },
      true,
    ],
    [
      'spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed',
      { 'spec.nodeName': 'n1', 'status.phase': 'Failed' },
      false,
    ],
    ['a=x\\,y', { a: 'x,y' }, true],
    ['a=x\\=y\\\\', { a: 'x=y\\' }, true],
    ['a==b=', { a: 'b=' }, false],
  ];
  for (const [sel, fields, want] of match.slice(0, -1)) {
    void test(`${sel} vs ${JSON.stringify(fields)}`, () =>
      assert.equal(parseFieldSelector(sel).matches(fields), want));
  }

  void test('requiresExactMatch', () => {
    const s = parseFieldSelector('metadata.name=web,metadata.namespace!=kube-system');
    assert.equal(s.requiresExactMatch('metadata.name'), 'web');
    assert.equal(s.requiresExactMatch('metadata.namespace'), undefined);
    assert.equal(s.requiresExactMatch('spec.nodeName'), undefined);
  });

  void test('terms are sorted and re-escaped by toString', () => {
    assert.equal(parseFieldSelector('b=2,a!=x\\,y').toString(), 'a!=x\\,y,b=2');
    assert.equal(parseFieldSelector('a==1').toString(), 'a=1');
    assert.equal(parseFieldSelector('').empty, true);
  });

  const errors: [string, string][] = [
    ['abc', "invalid selector: 'abc'; can't understand 'abc'"],
    ['a=1,b', "invalid selector: 'a=1,b'; can't understand 'b'"],
    ['a==b=', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [sel, message] of errors) {
    void test(`error ${sel}`, () => {
      assert.throws(
        () => parseFieldSelector(sel),
        (e: unknown) => isApiError(e) && e.code === 400 && e.message === message,
      );
    });
  }

  void test('fromSet and escape', () => {
    assert.equal(fieldSelectorFromSet({ b: '1', a: 'x=y' }).toString(), 'a=x\\=y,b=1');
    assert.equal(escapeFieldValue('a\\b,c=d'), 'a\\\\b\\,c\\=d');
  });
});
