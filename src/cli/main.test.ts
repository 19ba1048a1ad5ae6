import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main, type CliIo } from './main.js';
import { serverFlags } from './server-options.js';

function fakeIo(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    env: {},
    uid: 1000,
    home: '/home/someone',
    cwd: '/home/someone/project',
  };
  return io;
}

void test('root help lists every command', async () => {
  for (const argv of [[], ['--help'], ['-h'], ['help']]) {
    const io = fakeIo();
    assert.equal(await main(argv, io), 0);
    assert.match(io.out, /^Usage: tugboat <command>/);
    assert.match(io.out, /\n {2}server +Run the control plane/);
    assert.match(io.out, /\n {2}version +Print the version/);
    assert.equal(io.err, '');
  }
});

void test('server help describes every flag', async () => {
  for (const argv of [
    ['server', '--help'],
    ['server', '-h'],
    ['help', 'server'],
  ]) {
    const io = fakeIo();
    assert.equal(await main(argv, io), 0);
    assert.match(io.out, /^Usage: tugboat server \[flags\]/);
    for (const flag of serverFlags) {
      assert.ok(io.out.includes(`--${flag.name}`), `--${flag.name} missing`);
      assert.ok(io.out.includes(flag.description), `description of --${flag.name} missing`);
    }
    for (const name of [
      '--data-dir DIR',
      '--https-listen-port PORT',
      '--service-cidr CIDR',
      '--disable-agent',
    ]) {
      assert.ok(io.out.includes(name), name);
    }
    assert.match(io.out, /\(default: 6443\)/);
  }
});

void test('usage mistakes exit 2 with one message line and a hint on stderr', async () => {
  const cases: [string[], RegExp][] = [
    [['server', '--bogus'], /^tugboat server: unknown flag: --bogus$/],
    [['server', '--data-dir'], /^tugboat server: flag needs an argument: --data-dir$/],
    [['server', '--disable-agent=1'], /^tugboat server: flag does not take a value: --disable-agent$/],
    [['server', 'extra'], /^tugboat server: unexpected argument: extra$/],
    [['server', '--https-listen-port', '65536'], /--https-listen-port: must be a port number 0-65535$/],
    [['server', '--https-listen-port', 'http'], /--https-listen-port/],
    [['server', '--service-cidr', '10.43.0.0'], /--service-cidr: invalid CIDR address: 10\.43\.0\.0$/],
    [['server', '--bind-address', 'localhost'], /--bind-address: must be an IP address$/],
    [['server', '--log-level', 'loud'], /--log-level: must be one of debug, info, warn, error$/],
    [['serve'], /^tugboat: unknown command "serve" \(did you mean "server"\?\)$/],
    [['frobnicate'], /^tugboat: unknown command "frobnicate"$/],
    [['--bogus'], /^tugboat: unknown flag: --bogus/],
    [['help', 'nope'], /^tugboat: unknown command "nope"$/],
    [['version', '--short'], /^tugboat version: unknown flag: --short$/],
    [
      ['hollow-nodes', '--kubeconfig', 'k', '--node-lease-duration-seconds', '0'],
      /^tugboat hollow-nodes: invalid value for --node-lease-duration-seconds: "0" \(an integer >= 1\)$/,
    ],
  ];
  for (const [argv, message] of cases) {
    const io = fakeIo();
    assert.equal(await main(argv, io), 2, argv.join(' '));
    const lines = io.err.trimEnd().split('\n');
    assert.equal(lines.length, 2, io.err);
    assert.match(lines[0] ?? '', message);
    assert.match(lines[1] ?? '', /^Run 'tugboat( [\w-]+)? --help' for usage\.$/);
    assert.equal(io.out, '');
  }
});

void test('version prints the package version', async () => {
  for (const argv of [['version'], ['--version']]) {
    const io = fakeIo();
    assert.equal(await main(argv, io), 0);
    assert.match(io.out, /^tugboat version v\d+\.\d+\.\d+\nnode version v\d+/);
  }
});
