import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { hash16 } from '../proxy/chain-names.js';
import { emptyTable, parseSave } from '../proxy/saved-table.js';
import { buildPolicyRules, type PolicyRuleInput } from './policy-rules.js';

const pod = (
  ns: string,
  name: string,
  ip: string,
  labels: Record<string, string>,
  extra: Partial<Pod['spec']> = {},
): Pod => ({
  metadata: { namespace: ns, name, labels },
  spec: {
    nodeName: 'node-a',
    containers: [{ name: 'c', image: 'x', ports: [{ name: 'web', containerPort: 8080 }] }],
    ...extra,
  },
  status: { phase: 'Running', podIP: ip },
});
const ns = (name: string, labels: Record<string, string> = {}): Namespace => ({ metadata: { name, labels } });
const policy = (namespace: string, name: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({
  metadata: { namespace, name },
  spec,
});
const IN = (ns: string, name: string) => `TUGBOAT-NPI-${hash16(`${ns}/${name}`)}`;
const EG = (ns: string, name: string) => `TUGBOAT-NPE-${hash16(`${ns}/${name}`)}`;

const PODS = [
  pod('web', 'server', '10.42.0.2', { app: 'server' }),
  pod('web', 'other', '10.42.0.3', { app: 'other' }),
  pod('tools', 'client', '10.42.1.4', { role: 'client' }, { nodeName: 'node-b' }),
  pod('web', 'host', '10.0.0.1', { app: 'server' }, { hostNetwork: true }),
];

function build(policies: NetworkPolicy[], extra: Partial<PolicyRuleInput> = {}): string[] {
  return buildPolicyRules({
    policies,
    pods: PODS,
    namespaces: [ns('web', { team: 'web' }), ns('tools', { team: 'tools' })],
    nodeName: 'node-a',
    current: emptyTable(),
    ...extra,
  }).split('\n');
}

describe('network policy rules', () => {
  test('no policy: only the jump and the stateful return', () => {
    assert.deepEqual(build([]), [
      '*filter',
      ':TUGBOAT-NETPOL - [0:0]',
      '-I FORWARD 1 -m comment --comment "tugboat network policies" -j TUGBOAT-NETPOL',
      '-A TUGBOAT-NETPOL -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      'COMMIT',
      '',
    ]);
  });

  test('ingress from another namespace by label, on a named port; pods elsewhere and host-network ones are not isolated here', () => {
    const lines = build([
      policy('web', 'p', {
        podSelector: { matchLabels: { app: 'server' } },
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { team: 'tools' } } }], ports: [{ port: 'web' }] },
        ],
      }),
    ]);
    const chain = IN('web', 'server');
    assert.ok(lines.includes(`-A TUGBOAT-NETPOL -d 10.42.0.2/32 -j ${chain}`));
    assert.deepEqual(
      lines.filter((l) => l.startsWith(`-A ${chain} `)),
      [
        `-A ${chain} -s 10.42.0.2/32 -j RETURN`,
        `-A ${chain} -s 10.42.1.4/32 -p tcp -m tcp --dport 8080 -j RETURN`,
        `-A ${chain} -m comment --comment "web/server ingress not allowed" -j DROP`,
      ],
    );
    assert.ok(!lines.some((l) => l.includes('10.0.0.1')), 'host-network pods are out of scope');
    assert.ok(!lines.some((l) => l.includes('TUGBOAT-NPE-')), 'no egress isolation without Egress');
  });

  test('egress: an empty rule allows everything; port ranges; policyTypes decide isolation', () => {
    const lines = build([
      policy('web', 'deny-out', { podSelector: {}, policyTypes: ['Egress'] }),
      policy('web', 'dns', {
        podSelector: { matchLabels: { app: 'other' } },
        policyTypes: ['Egress'],
        egress: [
          {
            ports: [
              { protocol: 'UDP', port: 53 },
              { port: 30000, endPort: 30100 },
            ],
          },
        ],
      }),
    ]);
    assert.deepEqual(
      lines.filter((l) => l.startsWith(`-A ${EG('web', 'other')} `)),
      [
        `-A ${EG('web', 'other')} -d 10.42.0.3/32 -j RETURN`,
        `-A ${EG('web', 'other')} -p udp -m udp --dport 53 -j RETURN`,
        `-A ${EG('web', 'other')} -p tcp -m tcp --dport 30000:30100 -j RETURN`,
        `-A ${EG('web', 'other')} -m comment --comment "web/other egress not allowed" -j DROP`,
      ],
    );
    assert.deepEqual(
      lines.filter((l) => l.startsWith(`-A ${EG('web', 'server')} `)).length,
      2,
      'deny all: itself, then the drop',
    );
    assert.ok(!lines.some((l) => l.includes('TUGBOAT-NPI-')), 'Egress only: no ingress isolation');
  });

  test('a named port the peer lacks matches nothing; an ipBlock with exceptions becomes the CIDRs left', () => {
    const lines = build([
      policy('web', 'p', {
        podSelector: { matchLabels: { app: 'other' } },
        policyTypes: ['Egress'],
        egress: [
          { to: [{ podSelector: { matchLabels: { app: 'server' } } }], ports: [{ port: 'nope' }] },
          { to: [{ ipBlock: { cidr: '192.0.2.0/24', except: ['192.0.2.0/25'] } }] },
        ],
      }),
    ]);
    const chain = EG('web', 'other');
    assert.deepEqual(
      lines.filter((l) => l.startsWith(`-A ${chain} `) && l.includes('RETURN')),
      [`-A ${chain} -d 10.42.0.3/32 -j RETURN`, `-A ${chain} -d 192.0.2.128/25 -j RETURN`],
    );
  });

  test('egress to anywhere on a named port goes to the pods that declare it; empty policyTypes take the default', () => {
    const lines = build([
      policy('web', 'p', {
        podSelector: { matchLabels: { app: 'other' } },
        policyTypes: [],
        egress: [{ ports: [{ port: 'web' }] }],
      }),
    ]);
    const chain = EG('web', 'other');
    assert.deepEqual(
      lines.filter((l) => l.startsWith(`-A ${chain} `) && l.includes('--dport')),
      ['10.42.0.2', '10.42.0.3', '10.42.1.4'].map(
        (ip) => `-A ${chain} -d ${ip}/32 -p tcp -m tcp --dport 8080 -j RETURN`,
      ),
    );
    assert.ok(
      lines.some((l) => l.startsWith(`-A ${IN('web', 'other')} `)),
      'Ingress too, by default',
    );
  });

  test('the jump is moved to the top of FORWARD; chains of pods no longer isolated are deleted', () => {
    const saved = parseSave(
      [
        '*filter',
        ':TUGBOAT-NETPOL - [0:0]',
        ':TUGBOAT-NPI-OLD - [0:0]',
        '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
        '-A FORWARD -m comment --comment "tugboat network policies" -j TUGBOAT-NETPOL',
        'COMMIT',
      ].join('\n'),
    );
    const lines = build([], { current: saved });
    assert.ok(lines.includes('-D FORWARD -m comment --comment "tugboat network policies" -j TUGBOAT-NETPOL'));
    assert.ok(
      lines.includes('-I FORWARD 1 -m comment --comment "tugboat network policies" -j TUGBOAT-NETPOL'),
    );
    assert.ok(lines.includes(':TUGBOAT-NPI-OLD - [0:0]') && lines.includes('-X TUGBOAT-NPI-OLD'));
    const settled = parseSave(
      '*filter\n-A FORWARD -m comment --comment "tugboat network policies" -j TUGBOAT-NETPOL\nCOMMIT\n',
    );
    assert.ok(
      !build([], { current: settled }).some((l) => l.includes('FORWARD')),
      'already first: left alone',
    );
  });
});
