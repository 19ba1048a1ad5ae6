import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { isValidIPSloppy } from './pod-dns-validation.js';
import { podStrategy } from './pod.js';
import { create, lines } from './testing.js';

const pod = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default' },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }], ...spec },
});

const errorsOf = (spec: Record<string, unknown>): string[] => lines(create(podStrategy, pod(spec)).errors);

const IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

void describe('dnsConfig, hostAliases and readinessGates: accepted specs', () => {
  void test('valid values produce no errors', () => {
    assert.deepEqual(
      errorsOf({
        dnsPolicy: 'None',
        dnsConfig: {
          nameservers: ['1.1.1.1', '2001:db8::53', '010.0.0.10'],
          searches: ['svc.cluster.local', 'example.com.', 'a'],
          options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
        },
        hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] }, { ip: '::ffff:10.1.2.3' }],
        readinessGates: [{ conditionType: 'example.com/feature-1' }, { conditionType: 'Ready2' }],
      }),
      [],
    );
  });

  void test('dnsConfig with another policy, and an empty dnsConfig, are valid', () => {
    assert.deepEqual(
      errorsOf({ dnsPolicy: 'ClusterFirst', dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }),
      [],
    );
    assert.deepEqual(errorsOf({ dnsConfig: {} }), []);
  });

  void test('search list of exactly 32 paths and 2048 characters', () => {
    // 31 names of 63 characters and one of 63: 32 * 63 + 31 spaces = 2047.
    const searches = Array.from({ length: 32 }, (_, i) => `${String(i).padStart(2, '0')}${'a'.repeat(61)}`);
    searches[31] = `${searches[31]}b`;
    assert.equal(searches.join(' ').length, 2048);
    assert.deepEqual(errorsOf({ dnsConfig: { searches } }), []);
  });

  void test('sloppy IP parsing as Go', () => {
    for (const ip of ['10.0.0.1', '010.000.000.001', '::1', '::ffff:010.1.2.3', '2001:db8::1']) {
      assert.equal(isValidIPSloppy(ip), true, ip);
    }
    for (const ip of ['', '1.2.3', '1.2.3.256', 'fe80::1%eth0', ' 1.1.1.1', 'x1.2.3.4', 'example.com']) {
      assert.equal(isValidIPSloppy(ip), false, ip);
    }
  });
});

void describe('dnsConfig validation', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'None needs a dnsConfig',
      { dnsPolicy: 'None' },
      ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
    ],
    [
      'None needs a nameserver (and stops there)',
      { dnsPolicy: 'None', dnsConfig: { searches: ['Bad'] } },
      [
        'spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None',
      ],
    ],
    [
      'at most 3 nameservers, each an IP',
      { dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '1.2.3', 'fe80::1%eth0'] } },
      [
        'spec.dnsConfig.nameservers: Invalid value: []string{"1.1.1.1", "8.8.8.8", "1.2.3", "fe80::1%eth0"}: must not have more than 3 nameservers',
        `spec.dnsConfig.nameservers[2]: Invalid value: "1.2.3": ${IP}`,
        `spec.dnsConfig.nameservers[3]: Invalid value: "fe80::1%eth0": ${IP}`,
      ],
    ],
    [
      'search paths are subdomains, a trailing dot allowed',
      { dnsConfig: { searches: ['ok.example.', 'Bad_Domain', '.', 'a..b'] } },
      [
        `spec.dnsConfig.searches[1]: Invalid value: "Bad_Domain": ${SUBDOMAIN}`,
        `spec.dnsConfig.searches[2]: Invalid value: "": ${SUBDOMAIN}`,
        `spec.dnsConfig.searches[3]: Invalid value: "a..b": ${SUBDOMAIN}`,
      ],
    ],
    [
      'option names required',
      { dnsConfig: { options: [{ name: 'ndots', value: '5' }, { value: '1' }, { name: '' }] } },
      [
        'spec.dnsConfig.options[1]: Required value: must not be empty',
        'spec.dnsConfig.options[2]: Required value: must not be empty',
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(errorsOf(spec), want));
  }

  void test('more than 32 search paths', () => {
    const searches = Array.from({ length: 33 }, (_, i) => `s${i}.example`);
    const rendered = `[]string{${searches.map((s) => `"${s}"`).join(', ')}}`;
    assert.deepEqual(errorsOf({ dnsConfig: { searches } }), [
      `spec.dnsConfig.searches: Invalid value: ${rendered}: must not have more than 32 search paths`,
    ]);
  });

  void test('search list longer than 2048 characters', () => {
    const searches = Array.from({ length: 32 }, (_, i) => `${String(i).padStart(2, '0')}${'a'.repeat(61)}`);
    searches[31] = `${searches[31]}bb`;
    const rendered = `[]string{${searches.map((s) => `"${s}"`).join(', ')}}`;
    assert.deepEqual(errorsOf({ dnsConfig: { searches } }), [
      `spec.dnsConfig.searches: Invalid value: ${rendered}: must not have more than 2048 characters (including spaces) in the search list`,
    ]);
  });
});

void describe('hostAliases and readinessGates', () => {
  void test('hostAliases: ip required and valid, hostnames subdomains', () => {
    assert.deepEqual(
      errorsOf({
        hostAliases: [
          { hostnames: ['ok.example', 'Bad Host'] },
          { ip: '10.0.0.300', hostnames: ['fine'] },
          { ip: '10.0.0.1', hostnames: ['trailing.'] },
        ],
      }),
      [
        `spec.hostAliases[0].ip: Invalid value: "": ${IP}`,
        `spec.hostAliases[0].hostnames[1]: Invalid value: "Bad Host": ${SUBDOMAIN}`,
        `spec.hostAliases[1].ip: Invalid value: "10.0.0.300": ${IP}`,
        `spec.hostAliases[2].hostnames[0]: Invalid value: "trailing.": ${SUBDOMAIN}`,
      ],
    );
  });

  void test('readinessGates: condition types are qualified names', () => {
    assert.deepEqual(
      errorsOf({
        readinessGates: [
          { conditionType: 'example.com/ok' },
          { conditionType: 'a/b/c' },
          { conditionType: '' },
        ],
      }),
      [
        `spec.readinessGates[1].conditionType: Invalid value: "a/b/c": a qualified name ${QUALIFIED} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
        'spec.readinessGates[2].conditionType: Invalid value: "": name part must be non-empty',
        `spec.readinessGates[2].conditionType: Invalid value: "": name part ${QUALIFIED}`,
      ],
    );
  });
});
