import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  clusterPolicyChain,
  endpointChain,
  externalChain,
  firewallChain,
  localPolicyChain,
} from './chain-names.js';
import { buildRuleSet, type RuleSetInput } from './rules.js';
import { emptyTable, parseSave } from './saved-table.js';
import { ready, service, slice, terminating } from './testing.js';

const SVC = clusterPolicyChain('ns1/svc1:p80', 'tcp');
const SEP = (ip: string, port = 80, name = 'ns1/svc1:p80', proto = 'tcp'): string =>
  endpointChain(name, proto, `${ip}:${port}`);

function build(services: Service[], slices: EndpointSlice[], extra: Partial<RuleSetInput> = {}) {
  const rules = buildRuleSet({
    services,
    slices,
    nodeName: 'node-a',
    clusterCidr: '10.0.0.0/24',
    randomFully: false,
    current: { nat: emptyTable(), filter: emptyTable() },
    ...extra,
  });
  return { ...rules, natLines: rules.nat.split('\n'), filterLines: rules.filter.split('\n') };
}

const svc1 = (spec: Partial<Service['spec']> = {}): Service =>
  service('ns1', 'svc1', {
    clusterIP: '10.20.30.41',
    ports: [{ name: 'p80', port: 80, protocol: 'TCP' }],
    ...spec,
  });
const slice1 = (...endpoints: Parameters<typeof slice>[3]): EndpointSlice =>
  slice('ns1', 'svc1-abc', 'svc1', endpoints, [{ name: 'p80', port: 80, protocol: 'TCP' }]);

void describe('buildRuleSet', () => {
  void test('one endpoint: the same nat rules as upstream, plus the jump rules and the localhost exclusion', () => {
    const { nat } = build([svc1()], [slice1(ready('10.180.0.1'))]);
    assert.equal(
      nat,
      [
        '*nat',
        ':KUBE-SERVICES - [0:0]',
        ':KUBE-NODEPORTS - [0:0]',
        ':KUBE-POSTROUTING - [0:0]',
        ':KUBE-MARK-MASQ - [0:0]',
        ':KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]',
        ':KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]',
        '-I OUTPUT 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-I PREROUTING 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-I POSTROUTING 1 -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
        '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
        '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
        '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
        '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
        '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 10.20.30.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
        '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 10.20.30.41 --dport 80 ! -s 10.0.0.0/24 -j KUBE-MARK-MASQ',
        '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ',
        '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ',
        '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80',
        '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  void test('the filter table: jump rules, forwarding of marked traffic, no REJECT when endpoints exist', () => {
    const { filterLines } = build([svc1()], [slice1(ready('10.180.0.1'))]);
    assert.deepEqual(filterLines.slice(0, 4), [
      '*filter',
      ':KUBE-SERVICES - [0:0]',
      ':KUBE-EXTERNAL-SERVICES - [0:0]',
      ':KUBE-FORWARD - [0:0]',
    ]);
    assert.ok(
      filterLines.includes('-I FORWARD 1 -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD'),
    );
    assert.ok(filterLines.includes('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP'));
    assert.ok(
      filterLines.includes(
        '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
      ),
    );
    assert.ok(!filterLines.some((l) => l.includes('REJECT')));
  });

  void test('localhost node ports: 127.0.0.0/8 reaches KUBE-NODEPORTS, and the localnet firewall guards it', () => {
    const { natLines, filterLines } = build([svc1({ type: 'NodePort' })], [slice1(ready('10.180.0.1'))], {
      localhostNodePorts: true,
    });
    assert.equal(
      natLines.find((l) => l.includes('kubernetes service nodeports')),
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    );
    assert.ok(filterLines.includes(':KUBE-FIREWALL - [0:0]'));
    assert.ok(filterLines.includes('-I INPUT 1 -j KUBE-FIREWALL'));
    assert.ok(filterLines.includes('-I OUTPUT 1 -j KUBE-FIREWALL'));
    assert.ok(
      filterLines.includes(
        '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
      ),
    );
    // Jumps that iptables-save already lists are not inserted again.
    const saved = parseSave(
      '*filter\n:KUBE-FIREWALL - [0:0]\n-A INPUT -j KUBE-FIREWALL\n-A OUTPUT -j KUBE-FIREWALL\nCOMMIT\n',
    );
    const again = build([svc1()], [], {
      localhostNodePorts: true,
      current: { nat: emptyTable(), filter: saved },
    });
    assert.ok(!again.filterLines.some((l) => l.startsWith('-I INPUT') && l.includes('KUBE-FIREWALL')));
    assert.ok(!again.filterLines.some((l) => l.startsWith('-I OUTPUT') && l.includes('KUBE-FIREWALL')));
    // Without route_localnet, neither.
    const off = build([svc1()], []);
    assert.ok(!off.filter.includes('KUBE-FIREWALL'));
  });

  void test('several endpoints: 1/n, 1/(n-1), … and an unconditional last rule, one KUBE-SEP each', () => {
    const { natLines } = build(
      [svc1()],
      [slice1(ready('10.180.0.3'), ready('10.180.0.1'), ready('10.180.0.2'))],
    );
    const dispatch = natLines.filter((l) => l.startsWith(`-A ${SVC} `) && !l.includes('KUBE-MARK-MASQ'));
    assert.deepEqual(dispatch, [
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.3333333333 -j ${SEP('10.180.0.1')}`,
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -m statistic --mode random --probability 0.5000000000 -j ${SEP('10.180.0.2')}`,
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.3:80" -j ${SEP('10.180.0.3')}`,
    ]);
    for (const ip of ['10.180.0.1', '10.180.0.2', '10.180.0.3']) {
      assert.ok(natLines.includes(`:${SEP(ip)} - [0:0]`));
      assert.ok(
        natLines.some((l) => l.startsWith(`-A ${SEP(ip)} `) && l.endsWith(`--to-destination ${ip}:80`)),
      );
    }
  });

  void test('no endpoints: REJECT in the filter table with "has no endpoints", no nat chains', () => {
    for (const slices of [
      [],
      [slice1()],
      [slice1({ addresses: ['10.180.0.1'], conditions: { ready: false } })],
    ]) {
      const { natLines, filterLines } = build([svc1()], slices);
      assert.ok(
        filterLines.includes(
          '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 10.20.30.41 --dport 80 -j REJECT',
        ),
      );
      assert.ok(!natLines.some((l) => l.includes('KUBE-SVC-') || l.includes('KUBE-SEP-')));
    }
  });

  void test('NodePort: KUBE-NODEPORTS → KUBE-EXT (masquerade) → KUBE-SVC; REJECT on local addresses without endpoints', () => {
    const nodePort = svc1({
      type: 'NodePort',
      ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 30080 }],
    });
    const ext = externalChain('ns1/svc1:p80', 'tcp');
    const { natLines } = build([nodePort], [slice1(ready('10.180.0.1'))]);
    assert.ok(natLines.includes(`:${ext} - [0:0]`));
    assert.ok(
      natLines.includes(
        `-A KUBE-NODEPORTS -m comment --comment ns1/svc1:p80 -m tcp -p tcp --dport 30080 -j ${ext}`,
      ),
    );
    assert.deepEqual(
      natLines.filter((l) => l.startsWith(`-A ${ext} `)),
      [
        `-A ${ext} -m comment --comment "masquerade traffic for ns1/svc1:p80 external destinations" -j KUBE-MARK-MASQ`,
        `-A ${ext} -j ${SVC}`,
      ],
    );

    const empty = build([nodePort], []);
    assert.ok(!empty.natLines.some((l) => l.includes('KUBE-NODEPORTS -m')));
    assert.ok(
      empty.filterLines.includes(
        '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT',
      ),
    );
  });

  void test('ClientIP affinity: recent checks before the random choice, and each KUBE-SEP records the client', () => {
    const sticky = svc1({
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
    });
    const { natLines } = build([sticky], [slice1(ready('10.180.0.1'), ready('10.180.0.2'))]);
    const dispatch = natLines.filter((l) => l.startsWith(`-A ${SVC} `) && !l.includes('KUBE-MARK-MASQ'));
    assert.deepEqual(dispatch.slice(0, 2), [
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m recent --name ${SEP('10.180.0.1')} --rcheck --seconds 60 --reap -j ${SEP('10.180.0.1')}`,
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -m recent --name ${SEP('10.180.0.2')} --rcheck --seconds 60 --reap -j ${SEP('10.180.0.2')}`,
    ]);
    assert.ok(dispatch[2]?.includes('--probability 0.5000000000'));
    assert.ok(
      natLines.includes(
        `-A ${SEP('10.180.0.1')} -m comment --comment ns1/svc1:p80 -m recent --name ${SEP('10.180.0.1')} --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80`,
      ),
    );
    // The API server defaults the timeout; without one, upstream's 3 hours.
    const defaulted = build([svc1({ sessionAffinity: 'ClientIP' })], [slice1(ready('10.180.0.1'))]);
    assert.ok(defaulted.nat.includes('--rcheck --seconds 10800 --reap'));
  });

  void test('named ports: each service port takes the endpoints of its own port name, across slices', () => {
    const twoPorts = svc1({
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    });
    const slices = [
      slice('ns1', 'svc1-a', 'svc1', [ready('10.180.0.1')], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
      slice('ns1', 'svc1-b', 'svc1', [ready('10.180.0.2')], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
      slice('ns1', 'svc1-c', 'svc1', [ready('10.180.0.9')], [{ name: 'dns', port: 5353, protocol: 'UDP' }]),
      // A slice of another service with the same port name must not leak in.
      slice(
        'ns1',
        'other-a',
        'other',
        [ready('10.180.0.7')],
        [{ name: 'http', port: 8080, protocol: 'TCP' }],
      ),
    ];
    const { nat } = build([twoPorts], slices);
    const dnats = nat.split('\n').filter((l) => l.includes('DNAT'));
    assert.deepEqual(
      dnats.map((l) => l.replace(/.* -m (\w+) -p \w+ -j DNAT --to-destination /, '$1 ')),
      ['udp 10.180.0.9:5353', 'tcp 10.180.0.1:8080', 'tcp 10.180.0.2:8080'],
    );
    assert.ok(nat.includes(`-j ${clusterPolicyChain('ns1/svc1:http', 'tcp')}`));
    assert.ok(
      nat.includes(`-m udp -p udp -d 10.20.30.41 --dport 53 -j ${clusterPolicyChain('ns1/svc1:dns', 'udp')}`),
    );
  });

  void test('SCTP ports get sctp matches and their own chains', () => {
    const sctp = svc1({ ports: [{ name: 'p80', port: 80, protocol: 'SCTP' }] });
    const s = slice(
      'ns1',
      'svc1-a',
      'svc1',
      [ready('10.180.0.1')],
      [{ name: 'p80', port: 80, protocol: 'SCTP' }],
    );
    const { nat } = build([sctp], [s]);
    assert.ok(
      nat.includes(
        `-m sctp -p sctp -d 10.20.30.41 --dport 80 -j ${clusterPolicyChain('ns1/svc1:p80', 'sctp')}`,
      ),
    );
    assert.ok(nat.includes('-m sctp -p sctp -j DNAT --to-destination 10.180.0.1:80'));
    assert.ok(!nat.includes(SVC), 'not the TCP chain');
  });

  void test('an unnamed port is ns/name in comments and hashes', () => {
    const unnamed = service('ns1', 'web', { clusterIP: '10.20.30.42', ports: [{ port: 80 }] });
    const s = slice('ns1', 'web-a', 'web', [ready('10.180.0.5')], [{ port: 8080 }]);
    const { nat } = build([unnamed], [s]);
    assert.ok(nat.includes('--comment "ns1/web cluster IP"'));
    assert.ok(nat.includes(`:${endpointChain('ns1/web', 'tcp', '10.180.0.5:8080')} - [0:0]`));
  });

  void test('terminating endpoints serve only when no endpoint is ready', () => {
    const fallback = build([svc1()], [slice1(terminating('10.180.0.1'), terminating('10.180.0.2', false))]);
    assert.ok(fallback.nat.includes('--to-destination 10.180.0.1:80'));
    assert.ok(!fallback.nat.includes('10.180.0.2'), 'not serving: not used');
    assert.ok(!fallback.filter.includes('REJECT'));

    const mixed = build([svc1()], [slice1(terminating('10.180.0.1'), ready('10.180.0.3'))]);
    assert.ok(!mixed.nat.includes('10.180.0.1'));
    assert.ok(mixed.nat.includes('--to-destination 10.180.0.3:80'));
  });

  void test('stale chains of services and endpoints are flushed and deleted; chains of others are left alone', () => {
    const stale = clusterPolicyChain('ns1/gone:p', 'tcp');
    const staleSep = endpointChain('ns1/gone:p', 'tcp', '10.1.1.1:1');
    const current = parseSave(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        `:${stale} - [0:0]`,
        `:${staleSep} - [0:0]`,
        `:${SVC} - [0:0]`,
        ':CNI-HOSTPORT-DNAT - [0:0]',
        ':KUBE-SERVICES - [0:0]',
        'COMMIT',
      ].join('\n'),
    );
    const { natLines } = build([svc1()], [slice1(ready('10.180.0.1'))], {
      current: { nat: current, filter: emptyTable() },
    });
    assert.ok(natLines.includes(`:${stale} - [0:0]`) && natLines.includes(`-X ${stale}`));
    assert.ok(natLines.includes(`:${staleSep} - [0:0]`) && natLines.includes(`-X ${staleSep}`));
    assert.ok(!natLines.includes(`-X ${SVC}`), 'a live chain stays');
    assert.ok(!natLines.some((l) => l.includes('CNI-HOSTPORT')), 'not ours');
    const lastX = natLines.findLastIndex((l) => l.startsWith('-X '));
    assert.ok(lastX < natLines.indexOf('COMMIT'));
  });

  void test('load-balancer IPs: captured into the EXT chain; rejected without endpoints; Proxy mode left alone', () => {
    const EXT = externalChain('ns1/svc1:p80', 'tcp');
    const lb = (
      ingress: { ip: string; ipMode?: string }[],
      spec: Partial<Service['spec']> = {},
    ): Service => ({
      ...svc1({ type: 'LoadBalancer', ...spec }),
      status: { loadBalancer: { ingress } },
    });
    const { natLines } = build(
      [lb([{ ip: '192.0.2.10', ipMode: 'VIP' }, { ip: '192.0.2.11' }])],
      [slice1(ready('10.180.0.1'))],
    );
    for (const ip of ['192.0.2.10', '192.0.2.11']) {
      assert.ok(
        natLines.includes(
          `-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 loadbalancer IP" -m tcp -p tcp -d ${ip} --dport 80 -j ${EXT}`,
        ),
        ip,
      );
    }
    assert.ok(
      natLines.includes(
        `-A ${EXT} -m comment --comment "masquerade traffic for ns1/svc1:p80 external destinations" -j KUBE-MARK-MASQ`,
      ),
    );
    const proxied = build([lb([{ ip: '192.0.2.12', ipMode: 'Proxy' }])], [slice1(ready('10.180.0.1'))]);
    assert.ok(
      !proxied.nat.includes('192.0.2.12'),
      'an ingress in Proxy mode is reached through its node ports',
    );
    const unserved = build([lb([{ ip: '192.0.2.10' }])], []);
    assert.ok(
      unserved.filterLines.includes(
        '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 192.0.2.10 --dport 80 -j REJECT',
      ),
    );
    assert.ok(!unserved.nat.includes('192.0.2.10'));
    const notLb = build(
      [{ ...svc1(), status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } }],
      [slice1(ready('10.180.0.1'))],
    );
    assert.ok(!notLb.nat.includes('192.0.2.10'), 'only LoadBalancer services');
  });

  void test('loadBalancerSourceRanges: the KUBE-FW chain lets the ranges in; the rest is dropped in the filter table', () => {
    const EXT = externalChain('ns1/svc1:p80', 'tcp');
    const FW = firewallChain('ns1/svc1:p80', 'tcp');
    const svc: Service = {
      ...svc1({ type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/24', ' 198.51.100.0/24 '] }),
      status: { loadBalancer: { ingress: [{ ip: '198.51.100.1' }] } },
    };
    const { natLines, filterLines } = build([svc], [slice1(ready('10.180.0.1'))], { nodeIP: '198.51.100.1' });
    const fw = natLines.filter((l) => l.startsWith(`-A ${FW} `));
    assert.deepEqual(fw, [
      `-A ${FW} -m comment --comment "ns1/svc1:p80 loadbalancer IP" -s 203.0.113.0/24 -j ${EXT}`,
      `-A ${FW} -m comment --comment "ns1/svc1:p80 loadbalancer IP" -s 198.51.100.0/24 -j ${EXT}`,
      `-A ${FW} -m comment --comment "ns1/svc1:p80 loadbalancer IP" -s 198.51.100.1 -j ${EXT}`,
      `-A ${FW} -m comment --comment "other traffic to ns1/svc1:p80 will be dropped by KUBE-PROXY-FIREWALL"`,
    ]);
    assert.ok(natLines.includes(`:${FW} - [0:0]`));
    assert.ok(
      natLines.includes(
        `-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 loadbalancer IP" -m tcp -p tcp -d 198.51.100.1 --dport 80 -j ${FW}`,
      ),
    );
    assert.ok(
      filterLines.includes(
        `-A KUBE-PROXY-FIREWALL -m comment --comment "ns1/svc1:p80 traffic not accepted by ${FW}" -m tcp -p tcp -d 198.51.100.1 --dport 80 -j DROP`,
      ),
    );
    // The node outside every range: no rule for its own address.
    const away = build([svc], [slice1(ready('10.180.0.1'))], { nodeIP: '192.0.2.99' });
    assert.equal(away.natLines.filter((l) => l.startsWith(`-A ${FW} `)).length, 3);
  });

  void test('jump rules are inserted only when iptables-save does not list them already', () => {
    const first = build([], []);
    const saved = (table: string, jumps: string[]): string =>
      [`*${table}`, ...jumps.map((l) => l.replace(/^-I (\S+) 1 /, '-A $1 ')), 'COMMIT'].join('\n');
    const natJumps = first.natLines.filter((l) => l.startsWith('-I '));
    const filterJumps = first.filterLines.filter((l) => l.startsWith('-I '));
    assert.equal(natJumps.length, 3);
    assert.equal(filterJumps.length, 8, 'five portal jumps and three into the load-balancer firewall');
    // iptables-save lists them with the same arguments (it only moves -d/-p first and quotes comments).
    const again = build([], [], {
      current: { nat: parseSave(saved('nat', natJumps)), filter: parseSave(saved('filter', filterJumps)) },
    });
    assert.ok(!again.nat.includes('-I '));
    assert.ok(!again.filter.includes('-I '));
  });

  void test("headless, ExternalName, IPv6 and other proxies' services get no rules", () => {
    const ignored = [
      service('ns1', 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
      service('ns1', 'ext', { type: 'ExternalName', externalName: 'example.com', ports: [{ port: 80 }] }),
      service('ns1', 'v6', { clusterIP: 'fd00::1', ports: [{ port: 80 }] }),
      service('ns1', 'pending', { ports: [{ port: 80 }] }),
      service(
        'ns1',
        'theirs',
        { clusterIP: '10.20.30.50', ports: [{ port: 80 }] },
        {
          'service.kubernetes.io/service-proxy-name': 'other-proxy',
        },
      ),
    ];
    const slices = ignored.map((s) =>
      slice('ns1', `${s.metadata?.name}-a`, s.metadata?.name ?? '', [ready('10.180.0.1')], [{ port: 80 }]),
    );
    const rulesOf = ({ nat, filter }: { nat: string; filter: string }) => ({ nat, filter });
    assert.deepEqual(rulesOf(build(ignored, slices)), rulesOf(build([], [])));
  });

  void test("internalTrafficPolicy Local: only this node's endpoints, DROP when it has none", () => {
    const local = svc1({ internalTrafficPolicy: 'Local' });
    const svl = localPolicyChain('ns1/svc1:p80', 'tcp');
    const remoteOnly = build([local], [slice1(ready('10.180.0.1', 'node-b'))]);
    assert.ok(
      remoteOnly.filterLines.includes(
        '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no local endpoints" -m tcp -p tcp -d 10.20.30.41 --dport 80 -j DROP',
      ),
    );
    assert.ok(!remoteOnly.nat.includes('KUBE-SEP-'));

    const withLocal = build([local], [slice1(ready('10.180.0.1', 'node-b'), ready('10.180.0.2', 'node-a'))]);
    assert.ok(withLocal.nat.includes(`--dport 80 -j ${svl}`));
    assert.ok(withLocal.nat.includes('--to-destination 10.180.0.2:80'));
    assert.ok(!withLocal.nat.includes('10.180.0.1:80'));
  });

  void test('externalTrafficPolicy Local: external traffic to local endpoints, pods and the node keep Cluster', () => {
    const local = svc1({
      type: 'NodePort',
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 30080 }],
    });
    const ext = externalChain('ns1/svc1:p80', 'tcp');
    const svl = localPolicyChain('ns1/svc1:p80', 'tcp');
    const { natLines, filterLines } = build(
      [local],
      [slice1(ready('10.180.0.1', 'node-b'), ready('10.180.0.2', 'node-a'))],
    );
    assert.deepEqual(
      natLines.filter((l) => l.startsWith(`-A ${ext} `)),
      [
        `-A ${ext} -m comment --comment "pod traffic for ns1/svc1:p80 external destinations" -s 10.0.0.0/24 -j ${SVC}`,
        `-A ${ext} -m comment --comment "masquerade LOCAL traffic for ns1/svc1:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
        `-A ${ext} -m comment --comment "route LOCAL traffic for ns1/svc1:p80 external destinations" -m addrtype --src-type LOCAL -j ${SVC}`,
        `-A ${ext} -j ${svl}`,
      ],
    );
    assert.ok(natLines.some((l) => l.startsWith(`-A ${svl} `) && l.includes('10.180.0.2:80')));
    assert.ok(!filterLines.some((l) => l.includes('DROP') && l.includes('30080')));

    const remote = build([local], [slice1(ready('10.180.0.1', 'node-b'))]);
    assert.ok(
      remote.filterLines.includes(
        '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc1:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j DROP',
      ),
    );
    assert.ok(
      !remote.natLines.some((l) => l.startsWith(`-A ${ext} -j`)),
      'external traffic falls through to DROP',
    );
  });

  void test('external IPs go through KUBE-EXT; REJECT in KUBE-EXTERNAL-SERVICES without endpoints', () => {
    const withExternal = svc1({ externalIPs: ['192.0.2.10'] });
    const ext = externalChain('ns1/svc1:p80', 'tcp');
    const { nat } = build([withExternal], [slice1(ready('10.180.0.1'))]);
    assert.ok(
      nat.includes(
        `-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 external IP" -m tcp -p tcp -d 192.0.2.10 --dport 80 -j ${ext}`,
      ),
    );
    const { filter } = build([withExternal], []);
    assert.ok(
      filter.includes(
        '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 192.0.2.10 --dport 80 -j REJECT',
      ),
    );
  });

  void test('options: --random-fully, masquerade bit, masquerade-all, no cluster CIDR, liberal conntrack', () => {
    const { nat, filter } = build([svc1()], [slice1(ready('10.180.0.1'))], {
      randomFully: true,
      masqueradeBit: 1,
      masqueradeAll: true,
      conntrackTcpLiberal: true,
    });
    assert.ok(nat.includes('-j MASQUERADE --random-fully'));
    assert.ok(nat.includes('-A KUBE-MARK-MASQ -j MARK --or-mark 0x2\n'));
    assert.ok(
      nat.includes(
        `-A ${SVC} -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 10.20.30.41 --dport 80 -j KUBE-MARK-MASQ`,
      ),
    );
    assert.ok(!filter.includes('INVALID'));

    const noCidr = buildRuleSet({
      services: [svc1()],
      slices: [slice1(ready('10.180.0.1'))],
      nodeName: 'node-a',
      randomFully: false,
      current: { nat: emptyTable(), filter: emptyTable() },
    });
    assert.ok(!noCidr.nat.includes('cluster IP" -m tcp -p tcp -d 10.20.30.41 --dport 80 ! -s'));
  });
});
