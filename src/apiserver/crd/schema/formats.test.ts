import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveFormat, matchesFormat } from './formats.js';
import { goFloat, goQuote } from './go-format.js';
import { compileGoPattern } from './regex.js';

void describe('string formats', () => {
  const cases: [format: string, valid: string[], invalid: string[]][] = [
    ['date', ['2024-02-29', '2021-12-31'], ['2021-02-29', '2021-13-01', '2021-1-01', '']],
    [
      'date-time',
      ['2021-01-01T10:00:00Z', '2021-01-01t10:00:00.123+02:00'],
      ['2021-01-01', '2021-01-01T24:00:00Z', '2021-01-01T10:00:00'],
    ],
    ['duration', ['1h30m', '300ms', '-1.5h', '0', '3 days', '2 weeks'], ['', '1x', 'h']],
    [
      'uuid',
      ['123e4567-e89b-12d3-a456-426614174000', '123E4567E89B12D3A456426614174000'],
      ['123e4567-e89b-12d3-a456'],
    ],
    ['uuid4', ['9b2f4e1c-3d5a-4f6b-8c7d-0e1f2a3b4c5d'], ['9b2f4e1c-3d5a-1f6b-8c7d-0e1f2a3b4c5d']],
    ['ipv4', ['10.0.0.1', '255.255.255.255'], ['256.0.0.1', '10.0.0', '010.0.0.1', '::1']],
    ['ipv6', ['::1', 'fe80::1', '::ffff:10.0.0.1'], ['10.0.0.1', 'fe80::1%eth0']],
    ['cidr', ['10.0.0.0/8', 'fd00::/64'], ['10.0.0.0/33', '10.0.0.0', 'fd00::/129']],
    ['hostname', ['example.com', 'a-b.co', 'localhost'], ['-a.com', 'a..b', 'a_b.com', 'a.b']],
    ['mac', ['01:23:45:67:89:ab', '01-23-45-67-89-AB', '0123.4567.89ab'], ['01:23:45:67:89']],
    ['byte', ['aGVsbG8=', 'aGk='], ['aGVsbG8', 'not base64!']],
    ['email', ['a@example.com', 'Name <a@example.com>'], ['a.example.com', 'a@']],
    ['uri', ['https://example.com/x?y=1', '/path'], ['relative/path', 'http://a b']],
    ['quantity', ['100m', '1Gi', '1.5', '1e3'], ['1 Gi', 'ten', ' 1']],
    ['hexcolor', ['#fff', 'A0B1C2'], ['#ffff']],
    ['rgbcolor', ['rgb(255, 0, 10)'], ['rgb(256,0,0)']],
    ['isbn10', ['0321751043', '0-321-75104-3'], ['0321751044']],
    ['isbn13', ['978-0321751041'], ['9780321751042']],
    ['creditcard', ['4111 1111 1111 1111'], ['4111 1111 1111 1112']],
    ['ssn', ['123-45-6789', '123456789'], ['12-345-6789']],
    ['bsonobjectid', ['507f1f77bcf86cd799439011'], ['507f1f77bcf86cd79943901']],
    ['password', ['anything'], []],
  ];
  for (const [format, valid, invalid] of cases) {
    void test(format, () => {
      for (const v of valid)
        assert.ok(matchesFormat(format, v), `${format} should accept ${JSON.stringify(v)}`);
      for (const v of invalid)
        assert.ok(!matchesFormat(format, v), `${format} should reject ${JSON.stringify(v)}`);
    });
  }

  void test('formats upstream does not check are dropped, as are formats on other types', () => {
    assert.equal(effectiveFormat({ type: 'string', format: 'date-time' }), 'date-time');
    assert.equal(effectiveFormat({ type: 'string', format: 'k8s-short-name' }), '');
    assert.equal(effectiveFormat({ type: 'string', format: 'int32' }), '');
    assert.equal(effectiveFormat({ type: 'integer', format: 'int32' }), 'int32');
    assert.equal(effectiveFormat({ type: 'integer', format: 'date' }), '');
    assert.equal(effectiveFormat({ type: 'number', format: 'double' }), 'double');
    assert.equal(effectiveFormat({ type: 'boolean', format: 'date' }), '');
    assert.equal(
      effectiveFormat({ 'x-kubernetes-int-or-string': true, type: 'integer', format: 'uuid' }),
      'uuid',
    );
  });
});

void describe('Go patterns', () => {
  const matches = (pattern: string, s: string): boolean => {
    const c = compileGoPattern(pattern);
    assert.ok(!('error' in c), `${pattern} should compile`);
    return c.test(s);
  };

  void test('RE2 syntax JavaScript lacks is translated', () => {
    assert.ok(matches('(?i)^abc$', 'ABC'));
    assert.ok(matches('\\Afoo\\z', 'foo'));
    assert.ok(!matches('\\Afoo\\z', 'foo\n'));
    assert.ok(matches('^[[:alpha:]][[:alnum:]_]*$', 'a1_b'));
    assert.ok(!matches('^[[:alpha:]]+$', 'a1'));
    assert.ok(matches('^(?P<major>\\d+)\\.(?P<minor>\\d+)$', '1.32'));
    assert.ok(matches('^[]a]+$', ']a]'));
    assert.ok(matches('x', 'axb'), 'patterns are unanchored');
  });

  void test('what RE2 rejects is rejected with its message', () => {
    const error = (p: string): string => {
      const c = compileGoPattern(p);
      return 'error' in c ? c.error : '';
    };
    assert.equal(error('+'), 'error parsing regexp: missing argument to repetition operator: `+`');
    assert.equal(error('a**'), 'error parsing regexp: invalid nested repetition operator: `**`');
    assert.equal(error('(abc'), 'error parsing regexp: missing closing ): `(abc`');
    assert.equal(error('abc)'), 'error parsing regexp: unexpected ): `abc)`');
    assert.equal(error('x[abc'), 'error parsing regexp: missing closing ]: `[abc`');
    assert.equal(error('^(?=a)'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
    assert.equal(error('(a)\\1'), 'error parsing regexp: invalid escape sequence: `\\1`');
  });
});

void describe('Go renderings', () => {
  void test('%v of a float64', () => {
    assert.equal(goFloat(10), '10');
    assert.equal(goFloat(123456), '123456');
    assert.equal(goFloat(1000000), '1e+06');
    assert.equal(goFloat(1234567.5), '1.2345675e+06');
    assert.equal(goFloat(0.5), '0.5');
    assert.equal(goFloat(0.0001), '0.0001');
    assert.equal(goFloat(0.00001), '1e-05');
    assert.equal(goFloat(-2.5e-7), '-2.5e-07');
  });

  void test('%q of a string', () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('tab\there\n'), '"tab\\there\\n"');
    assert.equal(goQuote('\u0001é'), '"\\x01é"');
  });
});
