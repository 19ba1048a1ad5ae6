import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RegistriesConfigError,
  emptyRegistriesConfig,
  loadRegistriesConfig,
  parseRegistriesConfig,
  registryEndpoints,
} from './registries-config.js';

const SAMPLE = `
mirrors:
  docker.io:
    endpoint:
      - "https://mirror.example.com:5000/v2/"
      - "http://10.0.0.5:5000"
  "*":
    endpoint: ["cache.example.com"]
configs:
  mirror.example.com:5000:
    auth:
      username: u
      password: p
    tls:
      insecure_skip_verify: true
      ca_file: /etc/ca.pem
  https://10.0.0.7:5000:
    plain_http: true
    auth: { identity_token: tok }
`;

void test('parses mirrors and configs in the k3s shape', () => {
  const c = parseRegistriesConfig(SAMPLE);
  assert.deepEqual(c.mirrors, {
    'docker.io': ['https://mirror.example.com:5000', 'http://10.0.0.5:5000'],
    '*': ['https://cache.example.com'],
  });
  assert.deepEqual(c.configs['mirror.example.com:5000'], {
    auth: { username: 'u', password: 'p' },
    insecureSkipVerify: true,
    caFile: '/etc/ca.pem',
    plainHttp: false,
  });
  assert.equal(c.configs['10.0.0.7:5000']?.plainHttp, true);
});

void test('endpoints: mirrors in order, then the registry itself; docker.io goes to registry-1', () => {
  const c = parseRegistriesConfig(SAMPLE);
  assert.deepEqual(registryEndpoints('docker.io', c), [
    {
      baseUrl: 'https://mirror.example.com:5000',
      insecureSkipVerify: true,
      caFile: '/etc/ca.pem',
      auth: { username: 'u', password: 'p' },
    },
    { baseUrl: 'http://10.0.0.5:5000', insecureSkipVerify: false },
    { baseUrl: 'https://registry-1.docker.io', insecureSkipVerify: false },
  ]);
  assert.deepEqual(
    registryEndpoints('quay.io', c).map((e) => e.baseUrl),
    ['https://cache.example.com', 'https://quay.io'],
    'the * mirror applies to registries without their own',
  );
});

void test('plain HTTP for loopback without configuration and for plain_http registries', () => {
  const none = emptyRegistriesConfig();
  assert.deepEqual(
    ['127.0.0.1:5000', 'localhost:5000', '[::1]:5000', 'r.example.com'].map(
      (r) => registryEndpoints(r, none)[0]?.baseUrl,
    ),
    ['http://127.0.0.1:5000', 'http://localhost:5000', 'http://[::1]:5000', 'https://r.example.com'],
  );
  const c = parseRegistriesConfig(SAMPLE);
  const [only, ...more] = registryEndpoints('10.0.0.7:5000', { ...c, mirrors: {} });
  assert.deepEqual(only, {
    baseUrl: 'http://10.0.0.7:5000',
    insecureSkipVerify: false,
    auth: { identityToken: 'tok' },
  });
  assert.equal(more.length, 0);
});

void test('rejects malformed files with the offending key', () => {
  const cases: [string, RegExp][] = [
    ['mirrors: [1]', /mirrors must be a mapping/],
    ['mirrors:\n  x:\n    endpoint: 3', /mirrors.x.endpoint must be a list/],
    ['mirrors:\n  x:\n    endpoint: ["ftp://a"]', /must be http/],
    [
      'configs:\n  x:\n    tls:\n      insecure_skip_verify: "yes"',
      /insecure_skip_verify must be true or false/,
    ],
    ['configs:\n  x:\n    bogus: 1', /unknown key "configs.x.bogus"/],
    ['other: 1', /unknown key "other"/],
    ['mirrors: [', /registries.yaml/],
  ];
  for (const [text, re] of cases) assert.throws(() => parseRegistriesConfig(text), re, text);
  assert.throws(() => parseRegistriesConfig('other: 1'), RegistriesConfigError);
});

void test('a missing or empty file is an empty configuration', async () => {
  const dir = await mkdtemp(join(tmpdir(), `tugboat-regcfg-${process.pid}-`));
  try {
    assert.deepEqual(await loadRegistriesConfig(join(dir, 'registries.yaml')), emptyRegistriesConfig());
    await writeFile(join(dir, 'registries.yaml'), '');
    assert.deepEqual(await loadRegistriesConfig(join(dir, 'registries.yaml')), emptyRegistriesConfig());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
