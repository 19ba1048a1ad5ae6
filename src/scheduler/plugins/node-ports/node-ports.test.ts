import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerPort } from 'kubernetes-types/core/v1.js';
import { node, nodeInfo, pod, state } from '../../testing/fixtures.js';
import { NodePorts } from './node-ports.js';

const withPorts = (name: string, ports: ContainerPort[]) =>
  pod(name, { containers: [{ name: 'c', image: 'i', ports }] });

test('NodePorts: host port conflicts by protocol, IP and port', () => {
  const p = new NodePorts();
  const cases: [string, ContainerPort[], ContainerPort[], boolean][] = [
    ['no host ports', [{ containerPort: 80 }], [{ containerPort: 80 }], true],
    ['same port', [{ containerPort: 80, hostPort: 8080 }], [{ containerPort: 80, hostPort: 8080 }], false],
    ['other port', [{ containerPort: 80, hostPort: 8080 }], [{ containerPort: 80, hostPort: 8081 }], true],
    [
      'other protocol',
      [{ containerPort: 80, hostPort: 53 }],
      [{ containerPort: 80, hostPort: 53, protocol: 'UDP' }],
      true,
    ],
    [
      'different IPs',
      [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }],
      [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.2' }],
      true,
    ],
    [
      'wildcard vs specific',
      [{ containerPort: 80, hostPort: 80 }],
      [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.2' }],
      false,
    ],
    [
      'specific vs wildcard',
      [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.2' }],
      [{ containerPort: 80, hostPort: 80 }],
      false,
    ],
  ];
  for (const [name, existing, wanted, fits] of cases) {
    const n = nodeInfo(node('n'), withPorts('old', existing));
    const s = p.filter(state(), withPorts('new', wanted), n);
    assert.equal(s === null, fits, name);
  }
});
