import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectPullAuth, type SecretData } from './pull-secrets.js';

function secret(auths: Record<string, unknown>): SecretData {
  return { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') };
}
const b64 = (s: string): string => Buffer.from(s).toString('base64');

void test('picks the entry for the image registry', () => {
  const secrets = [
    secret({ 'quay.io': { username: 'q', password: 'qp' } }),
    secret({ 'registry.example.com:5000': { auth: b64('alice:s3:cret') } }),
  ];
  assert.deepEqual(selectPullAuth('registry.example.com:5000/team/app:1', secrets), {
    username: 'alice',
    password: 's3:cret',
    auth: b64('alice:s3:cret'),
  });
  assert.deepEqual(selectPullAuth('quay.io/x/y', secrets), { username: 'q', password: 'qp' });
  assert.equal(selectPullAuth('registry.example.com/team/app', secrets), undefined, 'port must match');
  assert.equal(selectPullAuth('ghcr.io/x/y', secrets), undefined);
});

void test('Docker Hub keys in all their historical spellings match docker.io images', () => {
  for (const key of ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io', 'registry-1.docker.io']) {
    const auth = selectPullAuth('nginx', [secret({ [key]: { username: 'u', password: 'p' } })]);
    assert.deepEqual(auth, { username: 'u', password: 'p' }, key);
  }
});

void test('the most specific key wins: path prefixes and globs', () => {
  const secrets = [
    secret({ '*.example.com': { username: 'glob', password: 'g' } }),
    secret({ 'r.example.com': { username: 'host', password: 'h' } }),
    secret({ 'https://r.example.com/team': { username: 'team', password: 't' } }),
  ];
  assert.equal(selectPullAuth('r.example.com/team/app', secrets)?.username, 'team');
  assert.equal(selectPullAuth('r.example.com/teams/app', secrets)?.username, 'host');
  assert.equal(selectPullAuth('other.example.com/app', secrets)?.username, 'glob');
  assert.equal(selectPullAuth('a.b.example.com/app', secrets), undefined, 'a glob matches one label');
});

void test('among equal keys the first secret wins; tokens are carried', () => {
  const secrets = [
    secret({ 'r.io': { identitytoken: 'tok' } }),
    secret({ 'r.io': { username: 'later', password: 'x' } }),
  ];
  assert.deepEqual(selectPullAuth('r.io/a', secrets), { identityToken: 'tok' });
});

void test('malformed secrets and entries are ignored', () => {
  const secrets: SecretData[] = [
    { '.dockerconfigjson': b64('not json') },
    { other: 'x' },
    secret({ 'r.io': 'nope', 's.io': {} }),
    { '.dockerconfigjson': b64(JSON.stringify({ auths: null })) },
  ];
  assert.equal(selectPullAuth('r.io/a', secrets), undefined);
  assert.equal(selectPullAuth('s.io/a', secrets), undefined);
});
