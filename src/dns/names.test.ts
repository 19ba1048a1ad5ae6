import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addressFromDashed,
  addressFromReverseName,
  canonicalIp,
  dashedAddress,
  isSubdomain,
  normalizeName,
  relativeName,
  reverseName,
} from './names.js';

test('names compare lower-cased without the final dot', () => {
  assert.equal(normalizeName('Web.Team.SVC.cluster.local.'), 'web.team.svc.cluster.local');
  assert.equal(normalizeName('.'), '');
  assert.ok(isSubdomain('a.cluster.local', 'cluster.local'));
  assert.ok(isSubdomain('cluster.local', 'cluster.local'));
  assert.ok(!isSubdomain('xcluster.local', 'cluster.local'));
  assert.equal(relativeName('a.b.cluster.local', 'cluster.local'), 'a.b');
  assert.equal(relativeName('cluster.local', 'cluster.local'), '');
});

test('reverse names and addresses, both ways', () => {
  for (const ip of ['10.43.0.1', '192.168.1.255', 'fd00:43::11', '2001:db8::1:0:0:1']) {
    assert.equal(addressFromReverseName(reverseName(ip)), canonicalIp(ip));
  }
  assert.equal(reverseName('10.43.0.1'), '1.0.43.10.in-addr.arpa');
  assert.equal(
    reverseName('fd00::1'),
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa',
  );
  for (const bad of [
    '1.0.43.in-addr.arpa',
    '256.0.43.10.in-addr.arpa',
    '01.0.43.10.in-addr.arpa',
    'in-addr.arpa',
    '1.0.ip6.arpa',
  ]) {
    assert.equal(addressFromReverseName(bad), undefined, bad);
  }
});

test('dashed addresses of endpoints and pods', () => {
  assert.equal(dashedAddress('10.42.0.5'), '10-42-0-5');
  assert.equal(dashedAddress('fd00::5'), 'fd00--5');
  assert.equal(addressFromDashed('10-42-0-5'), '10.42.0.5');
  assert.equal(addressFromDashed('fd00--5'), 'fd00::5');
  assert.equal(addressFromDashed('10-42-0'), undefined);
  assert.equal(addressFromDashed('web'), undefined);
  assert.equal(canonicalIp('fd00:0:0::1'), 'fd00::1');
  assert.equal(canonicalIp('nope'), undefined);
});
