import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger, type Logger } from '../util/logger.js';
import type { CommandResult, CommandRunner } from './command-runner.js';
import {
  ConntrackCleaner,
  deleteArgv,
  parseConntrackFlows,
  staleUdpFilters,
  udpFrontends,
  type ConntrackFlow,
} from './conntrack.js';
import { endpointsByServicePort, servicePorts } from './service-ports.js';
import { ready, service, slice, terminating } from './testing.js';

const LISTING = `udp      17 28 src=10.244.1.4 dst=10.43.0.10 sport=5353 dport=53 src=10.244.1.2 dst=10.244.1.4 sport=8080 dport=5353 mark=0 use=1
udp      17 25 src=10.244.1.5 dst=10.43.0.10 sport=4000 dport=53 [UNREPLIED] src=10.43.0.10 dst=10.244.1.5 sport=53 dport=4000 mark=0 use=1
tcp      6 431999 ESTABLISHED src=10.244.1.4 dst=10.43.0.1 sport=50000 dport=443 src=127.0.0.1 dst=10.244.1.4 sport=6443 dport=50000 [ASSURED] mark=0 use=1
`;

const dns = (spec: Record<string, unknown> = {}) =>
  service('kube-system', 'dns', {
    clusterIP: '10.43.0.10',
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
    ...spec,
  });
const dnsSlice = (...endpoints: Parameters<typeof slice>[3]) =>
  slice('kube-system', 'dns-x', 'dns', endpoints, [{ name: 'dns', port: 8080, protocol: 'UDP' }]);

function filtersFor(flows: ConntrackFlow[], svc = dns(), slices = [dnsSlice(ready('10.244.1.3'))]) {
  return staleUdpFilters(flows, udpFrontends(servicePorts(svc), endpointsByServicePort(slices, 'node-a')));
}

describe('conntrack cleanup of UDP services', () => {
  test('reads the original destination and the reply source of each entry', () => {
    assert.deepEqual(parseConntrackFlows(LISTING), [
      { protocol: 'udp', origDst: '10.43.0.10', origDstPort: 53, replySrc: '10.244.1.2' },
      { protocol: 'udp', origDst: '10.43.0.10', origDstPort: 53, replySrc: '10.43.0.10' },
      { protocol: 'tcp', origDst: '10.43.0.1', origDstPort: 443, replySrc: '127.0.0.1' },
    ]);
    assert.deepEqual(
      parseConntrackFlows('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n'),
      [],
    );
  });

  test('a flow to a removed endpoint and one never DNATed are stale; a flow to a serving endpoint is not', () => {
    const flows = parseConntrackFlows(LISTING);
    assert.deepEqual(filtersFor(flows), [
      { origDst: '10.43.0.10', origDstPort: 53, replySrc: '10.244.1.2' },
      { origDst: '10.43.0.10', origDstPort: 53, replySrc: '10.43.0.10' },
    ]);
    // 10.244.1.2 serves again: only the flow that was never DNATed goes.
    assert.deepEqual(filtersFor(flows, dns(), [dnsSlice(ready('10.244.1.2'))]), [
      { origDst: '10.43.0.10', origDstPort: 53, replySrc: '10.43.0.10' },
    ]);
    // A terminating endpoint that still serves keeps its flows, as upstream.
    assert.deepEqual(filtersFor(flows.slice(0, 1), dns(), [dnsSlice(terminating('10.244.1.2'))]), []);
  });

  test('a service without serving endpoints keeps its flows; TCP services are not looked at', () => {
    const flows = parseConntrackFlows(LISTING);
    assert.deepEqual(filtersFor(flows, dns(), []), []);
    assert.deepEqual(filtersFor(flows, dns(), [dnsSlice(terminating('10.244.1.3', false))]), []);
    const tcp = dns({ ports: [{ name: 'dns', port: 53, protocol: 'TCP' }] });
    assert.deepEqual(filtersFor(flows, tcp), []);
  });

  test('external IPs and node ports are frontends too', () => {
    const svc = dns({
      type: 'NodePort',
      externalIPs: ['192.0.2.7'],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }],
    });
    const flows: ConntrackFlow[] = [
      { protocol: 'udp', origDst: '192.0.2.7', origDstPort: 53, replySrc: '10.244.1.9' },
      { protocol: 'udp', origDst: '198.51.100.1', origDstPort: 30053, replySrc: '10.244.1.9' },
      { protocol: 'udp', origDst: '198.51.100.1', origDstPort: 30053, replySrc: '10.244.1.3' },
    ];
    assert.deepEqual(filtersFor(flows, svc), [
      { origDst: '192.0.2.7', origDstPort: 53, replySrc: '10.244.1.9' },
      { origDstPort: 30053, replySrc: '10.244.1.9' },
    ]);
    assert.deepEqual(deleteArgv({ origDstPort: 30053, replySrc: '10.244.1.9' }), [
      'conntrack',
      '-D',
      '-p',
      'udp',
      '--orig-port-dst',
      '30053',
      '--reply-src',
      '10.244.1.9',
    ]);
  });

  test('the cleaner lists once, deletes each stale flow, and turns itself off without the tool', async () => {
    const calls: string[][] = [];
    let installed = true;
    const runner: CommandRunner = {
      run: (argv) => {
        calls.push(argv);
        if (!installed) return Promise.reject(new Error('spawn conntrack ENOENT'));
        const result: CommandResult = { code: 0, stdout: argv[1] === '-L' ? LISTING : '', stderr: '' };
        return Promise.resolve(result);
      },
    };
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
    const cleaner = new ConntrackCleaner(runner, log);
    const ports = servicePorts(dns());
    const eps = endpointsByServicePort([dnsSlice(ready('10.244.1.3'))], 'node-a');
    assert.equal(await cleaner.clean(ports, eps), 2);
    assert.deepEqual(
      calls.map((argv) => argv.join(' ')),
      [
        'conntrack -L -p udp',
        'conntrack -D -p udp --orig-dst 10.43.0.10 --orig-port-dst 53 --reply-src 10.244.1.2',
        'conntrack -D -p udp --orig-dst 10.43.0.10 --orig-port-dst 53 --reply-src 10.43.0.10',
      ],
    );
    calls.length = 0;
    assert.equal(await cleaner.clean(ports, endpointsByServicePort([], 'node-a')), 0);
    assert.deepEqual(calls, [], 'no UDP service with endpoints: no listing');
    installed = false;
    assert.equal(await cleaner.clean(ports, eps), 0);
    assert.equal(await cleaner.clean(ports, eps), 0);
    assert.equal(calls.length, 1, 'tried once');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /conntrack \(conntrack-tools\) is not installed/);
  });
});
