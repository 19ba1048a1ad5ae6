import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from './errors.js';
import {
  labelSelectorFromObject,
  nothing,
  parseLabelSelector,
  selectorString,
  validateLabelSelector,
  validateLabels,
} from './labels.js';

void describe('parseLabelSelector matching', () => {
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ['', undefined, true],
    ['', { a: 'b' }, true],
    ['app=web', { app: 'web' }, true],
    ['app=web', { app: 'db' }, false],
    ['app=web', undefined, false],
    ['app==web', { app: 'web' }, true],
    ['app!=web', { app: 'db' }, true],
    ['app!=web', {}, true],
    ['app!=web', { app: 'web' }, false],
    ['app', { app: '' }, true],
    ['app', {}, false],
    ['!app', {}, true],
    ['!app', { app: 'x' }, false],
    ['env in (prod,qa)', { env: 'qa' }, true],
    ['env in (prod,qa)', { env: 'dev' }, false],
    ['env in (prod,qa)', {}, false],
    ['env notin (prod)', {}, true],
    ['env notin (prod)', { env: 'prod' }, false],
    ['a=1,b=2', { a: '1', b: '2' }, true],
    ['a=1,b=2', { a: '1' }, false],
    ['a=', { a: '' }, true],
    ['a=,b', { a: '', b: 'x' }, true],
    ['in=notin', { in: 'notin' }, true],
    ['a in (in, notin)', { a: 'notin' }, true],
    ['  a = b  ,  c  ', { a: 'b', c: '' }, true],
    ['example.com/app=web', { 'example.com/app': 'web' }, true],
    ['n>5', { n: '6' }, true],
    ['n>5', { n: '5' }, false],
    ['n<5', { n: 'x' }, false],
    ['a in (,b)', { a: '' }, true],
    ['a in (b,)', { a: '' }, true],
    ['a in (b,c)', { a: '' }, false],
    ['a in ()', { a: '' }, true],
  ];
  for (const [sel, labels, want] of cases) {
    void test(`${JSON.stringify(sel)} vs ${JSON.stringify(labels)} → ${want}`, () => {
      assert.equal(parseLabelSelector(sel).matches(labels), want);
    });
  }
});

void describe('parseLabelSelector toString', () => {
  const cases: [string, string][] = [
    ['b=2,a=1', 'a=1,b=2'],
    ['x in (c,a,b)', 'x in (a,b,c)'],
    ['x notin (z)', 'x notin (z)'],
    ['!x', '!x'],
    ['x', 'x'],
    ['x==y', 'x==y'],
    ['x!=y', 'x!=y'],
    ['', ''],
  ];
  for (const [sel, want] of cases) {
    void test(`${sel} → ${want}`, () => assert.equal(parseLabelSelector(sel).toString(), want));
  }
  void test('empty flag', () => {
    assert.equal(parseLabelSelector('').empty, true);
    assert.equal(parseLabelSelector('a').empty, false);
  });
});

void describe('parseLabelSelector errors', () => {
  const cases: [string, string][] = [
    ['a=b,', "found '', expected: identifier after ','"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['=b', "found '=', expected: !, identifier, or 'end of string'"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a (b)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!=', "found '!=', expected: !, identifier, or 'end of string'"],
    ['!!a', "unable to parse requirement: found '!', expected: identifier"],
    [
      'a@b=c',
      `unable to parse requirement: <nil>: Invalid value: "a@b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
    [
      'a=b@',
      `unable to parse requirement: values[0][a]: Invalid value: "b@": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    [
      'n>x',
      `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
  ];
  for (const [sel, message] of cases) {
    void test(JSON.stringify(sel), () => {
      assert.throws(
        () => parseLabelSelector(sel),
        (err: unknown) => isApiError(err) && err.code === 400 && err.message === message,
      );
    });
  }
});

void describe('label selector objects', () => {
  void test('nil matches nothing, {} matches everything', () => {
    assert.equal(labelSelectorFromObject(undefined), nothing);
    assert.equal(labelSelectorFromObject(null).matches({}), false);
    assert.equal(labelSelectorFromObject({}).matches({ a: 'b' }), true);
  });
  void test('matchLabels and matchExpressions', () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['fe', 'be'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'Exists' },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
      ],
    });
    assert.equal(sel.matches({ app: 'web', tier: 'fe', zone: 'a' }), true);
    assert.equal(sel.matches({ app: 'web', tier: 'fe', zone: 'a', canary: '1' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'fe' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'fe', zone: 'a', env: 'dev' }), false);
    assert.equal(sel.toString(), 'app=web,!canary,env notin (dev),tier in (be,fe),zone');
  });
  void test('selectorString', () => {
    assert.equal(selectorString({ matchLabels: { app: 'nginx' } }), 'app=nginx');
    assert.equal(selectorString({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
    assert.equal(selectorString({}), '');
  });
  void test('bad operator throws 400', () => {
    assert.throws(
      () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }),
      (e: unknown) => isApiError(e) && e.message === '"Foo" is not a valid label selector operator',
    );
  });
});

void describe('validateLabelSelector / validateLabels', () => {
  void test('valid', () => {
    assert.deepEqual(validateLabelSelector({ matchLabels: { a: 'b' } }, 'spec.selector'), []);
    assert.deepEqual(validateLabels({ 'k8s.io/a': 'x' }, 'metadata.labels'), []);
  });
  void test('expression errors', () => {
    const errs = validateLabelSelector(
      {
        matchExpressions: [
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'Bad' },
          { key: '-x', operator: 'Exists' },
        ],
      },
      'spec.selector',
    );
    assert.deepEqual(
      errs.map((e) => [e.field, e.type, e.message.split(':')[0]]),
      [
        ['spec.selector.matchExpressions[0].values', 'FieldValueRequired', 'Required value'],
        ['spec.selector.matchExpressions[1].values', 'FieldValueForbidden', 'Forbidden'],
        ['spec.selector.matchExpressions[2].operator', 'FieldValueInvalid', 'Invalid value'],
        ['spec.selector.matchExpressions[3].key', 'FieldValueInvalid', 'Invalid value'],
      ],
    );
    assert.equal(errs[2]?.message, 'Invalid value: "Bad": not a valid selector operator');
  });
  void test('label value too long and bad key', () => {
    const errs = validateLabels({ 'a/b/c': 'x'.repeat(64) }, 'metadata.labels');
    assert.equal(errs.length, 2);
    assert.ok(errs.every((e) => e.field === 'metadata.labels'));
    assert.match(errs[0]?.message ?? '', /^Invalid value: "a\/b\/c": a qualified name must consist of/);
    assert.match(errs[1]?.message ?? '', /must be no more than 63 characters$/);
    assert.match(
      errs[0]?.message ?? '',
      /with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/,
    );
  });
});
