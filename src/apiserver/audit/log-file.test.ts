import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { AuditLogFile, backupTimestamp, type AuditLogFileOptions } from './log-file.js';

const root = mkdtempSync(join(tmpdir(), 'audit-log-'));
after(() => rmSync(root, { recursive: true, force: true }));

let cases = 0;
/** A directory of its own for each test, not created yet. */
function newDir(): string {
  return join(root, `case-${++cases}`);
}

/** maxSizeMb for a limit of so many bytes: the tests rotate small files. */
function bytes(n: number): number {
  return n / (1024 * 1024);
}

const start = Date.parse('2026-12-07T16:05:03.123Z');

class Clock {
  constructor(public ms = start) {}
  now = (): Date => new Date(this.ms);
}

function openLog(t: TestContext, opts: Partial<AuditLogFileOptions> & { path: string }) {
  const log = new AuditLogFile({ maxSizeMb: 0, maxBackups: 0, maxAgeDays: 0, compress: false, ...opts });
  const errors: Error[] = [];
  log.onError = (err) => errors.push(err);
  t.after(() => log.close());
  return { log, errors };
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function lines(...texts: string[]): string {
  return texts.map((text) => text + '\n').join('');
}

function backupName(time: number, ext = '.log'): string {
  return `audit-${backupTimestamp(new Date(time))}${ext}`;
}

test('the backup time layout is lumberjack’s, in UTC', () => {
  assert.equal(backupTimestamp(new Date('2026-12-07T17:05:03.123+01:00')), '2026-12-07T16-05-03.123');
  assert.equal(backupTimestamp(new Date('2027-01-01T00:00:00Z')), '2027-01-01T00-00-00.000');
});

test('a new log: parent directories 0700, the file 0600, one line per write', (t) => {
  const dir = newDir();
  const path = join(dir, 'nested', 'audit.log');
  const { log, errors } = openLog(t, { path });
  assert.equal(mode(dir), 0o700);
  assert.equal(mode(join(dir, 'nested')), 0o700);
  assert.equal(mode(path), 0o600);
  log.write('{"kind":"Event"}');
  log.write('second');
  assert.equal(readFileSync(path, 'utf8'), lines('{"kind":"Event"}', 'second'));
  assert.deepEqual(errors, []);
});

test('an existing log is appended to, its mode left alone', (t) => {
  const dir = newDir();
  mkdirSync(dir);
  const path = join(dir, 'audit.log');
  writeFileSync(path, lines('before restart'), { mode: 0o640 });
  chmodSync(path, 0o640);
  const { log } = openLog(t, { path });
  log.write('after restart');
  assert.equal(readFileSync(path, 'utf8'), lines('before restart', 'after restart'));
  assert.equal(mode(path), 0o640);
});

test('a log that cannot be opened fails the start, naming the path', () => {
  const dir = newDir();
  mkdirSync(join(dir, 'audit.log'), { recursive: true });
  const path = join(dir, 'audit.log');
  assert.throws(
    () => new AuditLogFile({ path, maxSizeMb: 0, maxBackups: 0, maxAgeDays: 0, compress: false }),
    (err: Error) => err.message.includes(path),
  );
});

test('rotation when a line would take the file past the limit, not when it reaches it', (t) => {
  const dir = newDir();
  const path = join(dir, 'audit.log');
  const clock = new Clock();
  const { log, errors } = openLog(t, { path, maxSizeMb: bytes(64), now: clock.now });
  const a = 'a'.repeat(31);
  const b = 'b'.repeat(31);
  log.write(a);
  log.write(b); // 64 bytes: at the limit, still one file
  assert.deepEqual(readdirSync(dir), ['audit.log']);
  chmodSync(path, 0o640);
  log.write('c');
  assert.deepEqual(readdirSync(dir).sort(), ['audit-2026-12-07T16-05-03.123.log', 'audit.log']);
  assert.equal(readFileSync(join(dir, 'audit-2026-12-07T16-05-03.123.log'), 'utf8'), lines(a, b));
  assert.equal(readFileSync(path, 'utf8'), lines('c'));
  // The fresh file takes the mode of the one it replaces.
  assert.equal(mode(path), 0o640);
  assert.equal(mode(join(dir, 'audit-2026-12-07T16-05-03.123.log')), 0o640);
  assert.deepEqual(errors, []);
});

test('the size of an existing log counts toward the limit', (t) => {
  const dir = newDir();
  mkdirSync(dir);
  const path = join(dir, 'audit.log');
  writeFileSync(path, 'x'.repeat(60));
  const { log } = openLog(t, { path, maxSizeMb: bytes(64), now: new Clock().now });
  log.write('four');
  assert.equal(readFileSync(join(dir, backupName(start)), 'utf8'), 'x'.repeat(60));
  assert.equal(readFileSync(path, 'utf8'), lines('four'));
});

test('a file without an extension gets the timestamp at the end of its name', (t) => {
  const dir = newDir();
  const { log } = openLog(t, { path: join(dir, 'audit'), maxSizeMb: bytes(8), now: new Clock().now });
  log.write('1234567');
  log.write('next');
  assert.deepEqual(readdirSync(dir).sort(), ['audit', 'audit-2026-12-07T16-05-03.123']);
});

test('the limit is in megabytes; a line longer than the limit is refused and reported, never written', (t) => {
  const dir = newDir();
  const path = join(dir, 'audit.log');
  const { log, errors } = openLog(t, { path, maxSizeMb: 1, now: new Clock().now });
  log.write('x'.repeat(1024 * 1024 - 1)); // with its newline, exactly 1 MiB
  assert.equal(statSync(path).size, 1024 * 1024);
  assert.doesNotThrow(() => log.write('y'.repeat(1024 * 1024)));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /exceeds the maximum file size of 1048576/);
  assert.ok(errors[0]!.message.includes(path));
  assert.deepEqual(readdirSync(dir), ['audit.log']);
  log.write('small');
  assert.deepEqual(readdirSync(dir).sort(), [backupName(start), 'audit.log']);
  assert.equal(readFileSync(path, 'utf8'), lines('small'));
});

test('maxBackups keeps the newest backups by the time in their names, at each rotation', async (t) => {
  const dir = newDir();
  const clock = new Clock();
  const { log, errors } = openLog(t, {
    path: join(dir, 'audit.log'),
    maxSizeMb: bytes(3),
    maxBackups: 2,
    now: clock.now,
  });
  const rotations: number[] = [];
  log.write('0x');
  for (let i = 1; i <= 5; i++) {
    clock.ms += 60_000;
    rotations.push(clock.ms);
    log.write(`${i}x`); // each line fills the file: every write rotates
    await log.flushCleanup();
  }
  assert.deepEqual(readdirSync(dir).sort(), [
    backupName(rotations[3]!),
    backupName(rotations[4]!),
    'audit.log',
  ]);
  assert.equal(readFileSync(join(dir, backupName(rotations[3]!)), 'utf8'), lines('3x'));
  assert.equal(readFileSync(join(dir, backupName(rotations[4]!)), 'utf8'), lines('4x'));
  assert.equal(readFileSync(join(dir, 'audit.log'), 'utf8'), lines('5x'));
  assert.deepEqual(errors, []);
});

test('backups are pruned when the log is opened too; only files of its own pattern are touched', async (t) => {
  const dir = newDir();
  mkdirSync(dir);
  const day = 24 * 60 * 60 * 1000;
  const backups = [start - day, start - 2 * day, start - 3 * day].map((time) => backupName(time));
  const strangers = [
    'audit.log.1',
    'audit-notatime.log',
    'audit-2026-13-01T00-00-00.000.log', // no 13th month
    'audit-2026-02-30T00-00-00.000.log', // no February 30th
    'audit-2020-01-01T00-00-00.00.log', // two fractional digits
    'audit-2020-01-01T00-00-00.000.txt',
    'audit-2020-01-01T00-00-00.000.log.bz2',
    'other-2020-01-01T00-00-00.000.log',
    'audit-2020-01-01T00-00-00.000.log.gz.tmp',
  ];
  for (const name of [...backups, ...strangers]) writeFileSync(join(dir, name), name);
  mkdirSync(join(dir, 'audit-2019-01-01T00-00-00.000.log')); // a directory with a backup's name
  const { errors, log } = openLog(t, { path: join(dir, 'audit.log'), maxBackups: 1, now: new Clock().now });
  await log.flushCleanup();
  assert.deepEqual(
    readdirSync(dir).sort(),
    [backups[0]!, ...strangers, 'audit-2019-01-01T00-00-00.000.log', 'audit.log'].sort(),
  );
  assert.deepEqual(errors, []);
});

test('maxAge removes backups stamped more than so many days before now, compressed or not', async (t) => {
  const dir = newDir();
  mkdirSync(dir);
  const hour = 60 * 60 * 1000;
  const kept = [backupName(start - 23 * hour), backupName(start - 24 * hour)];
  const old = [backupName(start - 24 * hour - 1), backupName(start - 72 * hour, '.log.gz')];
  for (const name of [...kept, ...old]) writeFileSync(join(dir, name), name);
  const { log, errors } = openLog(t, { path: join(dir, 'audit.log'), maxAgeDays: 1, now: new Clock().now });
  await log.flushCleanup();
  assert.deepEqual(readdirSync(dir).sort(), [...kept, 'audit.log'].sort());
  assert.deepEqual(errors, []);
});

test('compress: rotated files are gzipped with their mode and the originals removed', async (t) => {
  const dir = newDir();
  const path = join(dir, 'audit.log');
  const clock = new Clock();
  const { log, errors } = openLog(t, { path, maxSizeMb: bytes(16), compress: true, now: clock.now });
  log.write('first file');
  log.write('second file'); // rotates
  await log.flushCleanup();
  const gz = join(dir, backupName(start, '.log.gz'));
  assert.deepEqual(readdirSync(dir).sort(), [backupName(start, '.log.gz'), 'audit.log']);
  assert.equal(gunzipSync(readFileSync(gz)).toString(), lines('first file'));
  assert.equal(mode(gz), 0o600);
  assert.equal(readFileSync(path, 'utf8'), lines('second file'));
  assert.deepEqual(errors, []);
});

test('compress with maxBackups: a backup and its stale .gz count once; the .gz is made again', async (t) => {
  const dir = newDir();
  mkdirSync(dir);
  const [newest, middle, oldest] = [start - 1000, start - 2000, start - 3000].map((time) => backupName(time));
  writeFileSync(join(dir, newest!), 'newest\n');
  writeFileSync(join(dir, middle!), 'middle\n');
  writeFileSync(join(dir, middle + '.gz'), 'half a gzip stream');
  writeFileSync(join(dir, oldest + '.gz'), gzipSync('oldest\n'));
  const { log, errors } = openLog(t, {
    path: join(dir, 'audit.log'),
    maxBackups: 2,
    compress: true,
    now: new Clock().now,
  });
  await log.flushCleanup();
  assert.deepEqual(readdirSync(dir).sort(), [middle + '.gz', newest + '.gz', 'audit.log'].sort());
  assert.equal(gunzipSync(readFileSync(join(dir, middle + '.gz'))).toString(), 'middle\n');
  assert.equal(gunzipSync(readFileSync(join(dir, newest + '.gz'))).toString(), 'newest\n');
  assert.deepEqual(errors, []);
});

test('a failed write is reported once, not thrown, and the line dropped', (t) => {
  // /dev/full refuses every write with ENOSPC, whoever runs the test (even root).
  if (!existsSync('/dev/full')) return t.skip('no /dev/full on this system');
  const { log, errors } = openLog(t, { path: '/dev/full' });
  assert.doesNotThrow(() => log.write('lost'));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /\/dev\/full.*ENOSPC/);
  log.write('lost too');
  assert.equal(errors.length, 2);
});

test('a failed rotation drops the line and is reported; the next write rotates', (t) => {
  const dir = newDir();
  const path = join(dir, 'audit.log');
  const clock = new Clock();
  const { log, errors } = openLog(t, { path, maxSizeMb: bytes(8), now: clock.now });
  log.write('1234567');
  // A directory where the backup would go: the rename fails, whoever runs the test.
  mkdirSync(join(dir, backupName(start), 'occupied'), { recursive: true });
  log.write('dropped');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /cannot rotate the audit log file/);
  assert.equal(readFileSync(path, 'utf8'), lines('1234567'));
  rmdirSync(join(dir, backupName(start), 'occupied'));
  rmdirSync(join(dir, backupName(start)));
  log.write('kept');
  assert.equal(errors.length, 1);
  assert.equal(readFileSync(join(dir, backupName(start)), 'utf8'), lines('1234567'));
  assert.equal(readFileSync(path, 'utf8'), lines('kept'));
});

test('a log file removed from under the writer comes back 0600 at the next rotation', (t) => {
  const dir = newDir();
  const path = join(dir, 'audit.log');
  const { log, errors } = openLog(t, { path, maxSizeMb: bytes(8), now: new Clock().now });
  chmodSync(path, 0o644);
  log.write('1234567');
  rmSync(path);
  log.write('fresh');
  assert.deepEqual(readdirSync(dir), ['audit.log']);
  assert.equal(readFileSync(path, 'utf8'), lines('fresh'));
  assert.equal(mode(path), 0o600);
  assert.deepEqual(errors, []);
});

test('an onError that throws does not make write throw', (t) => {
  const { log } = openLog(t, { path: join(newDir(), 'audit.log'), maxSizeMb: bytes(4) });
  log.onError = () => {
    throw new Error('callback failed');
  };
  // Both errors then go to the fallback logger on stderr: kept out of the test's output.
  const stderr = t.mock.method(process.stderr, 'write', () => true);
  assert.doesNotThrow(() => log.write('far too long'));
  assert.equal(stderr.mock.callCount(), 1);
  assert.match(String(stderr.mock.calls[0]!.arguments[0]), /exceeds the maximum file size.*callback failed/);
});

test('writes after close are reported', (t) => {
  const { log, errors } = openLog(t, { path: join(newDir(), 'audit.log') });
  log.close();
  log.write('late');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /closed/);
});

test("'-' writes to standard output, without a size limit", () => {
  const moduleUrl = new URL('./log-file.ts', import.meta.url).href;
  const script = `
    import { AuditLogFile } from ${JSON.stringify(moduleUrl)};
    const log = new AuditLogFile({ path: '-', maxSizeMb: 1 / (1024 * 1024), maxBackups: 1, maxAgeDays: 1, compress: true });
    log.onError = (err) => { process.stderr.write(err.message); process.exitCode = 1; };
    log.write('first line');
    log.write('second line');
    log.close();
  `;
  // Run from an empty directory, with tsx found from here: no file named '-' may appear there.
  const cwd = newDir();
  mkdirSync(cwd);
  const child = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script],
    { encoding: 'utf8', cwd },
  );
  assert.equal(child.stderr, '');
  assert.equal(child.status, 0);
  assert.equal(child.stdout, lines('first line', 'second line'));
  assert.deepEqual(readdirSync(cwd), []);
});

test('buffered: the lines of one event-loop turn are written together, rotating between them at the limit', async (t) => {
  const dir = newDir();
  const path = join(dir, 'audit.log');
  const clock = new Clock();
  const { log, errors } = openLog(t, { path, maxSizeMb: bytes(64), now: clock.now, buffered: true });
  const [a, b, c] = ['a', 'b', 'c'].map((ch) => ch.repeat(31)) as [string, string, string];
  log.write(a);
  log.write(b);
  log.write(c);
  log.write('x'.repeat(70)); // longer than the limit: refused, the others kept
  assert.equal(readFileSync(path, 'utf8'), '', 'nothing written before the turn ends');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(readdirSync(dir).sort(), ['audit-2026-12-07T16-05-03.123.log', 'audit.log']);
  assert.equal(readFileSync(join(dir, 'audit-2026-12-07T16-05-03.123.log'), 'utf8'), lines(a, b));
  assert.equal(readFileSync(path, 'utf8'), lines(c));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /exceeds the maximum file size/);
  // close writes what is still buffered.
  log.write('last');
  log.close();
  assert.equal(readFileSync(path, 'utf8'), lines(c, 'last'));
});
