/**
 * The process runtime's per-container monitor, started detached so it outlives the agent: it runs the
 * container's command in its own process group, writes its output as a CRI-format log, and records the pid and,
 * at the end, the exit status in files the runtime reads (`node monitor.js SPEC.json`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { realClock } from '../../../util/clock.js';
import { CriLogWriter } from '../common/cri-log.js';
import { signalNumber } from '../common/run.js';

export interface MonitorSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
  logPath: string;
  /** Give the command a stdin pipe (kept open by the monitor; attach writes into it). */
  stdin: boolean;
  pidFile: string;
  exitFile: string;
}

export interface ExitRecord {
  exitCode: number;
  signal?: string;
  finishedAt: number;
  message?: string;
}

function writeAtomic(file: string, data: string): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

function main(specPath: string): void {
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as MonitorSpec;
  let logFd = openSync(spec.logPath, 'a');
  const log = new CriLogWriter((line) => writeSync(logFd, line), realClock);
  // SIGHUP: the kubelet rotated the log file; continue in a new one at the same path.
  process.on('SIGHUP', () => {
    log.flush();
    const previous = logFd;
    logFd = openSync(spec.logPath, 'a');
    closeSync(previous);
  });
  const [file, ...args] = spec.argv;
  // A FIFO, not a Node pipe (a socketpair): attach reopens it through /proc/<pid>/fd/0, which sockets refuse.
  // Opened read-write here, so it never reports EOF while the monitor lives.
  let stdin: number | 'ignore' = 'ignore';
  if (spec.stdin) {
    const fifo = path.join(path.dirname(spec.pidFile), 'stdin');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    stdin = openSync(fifo, constants.O_RDWR);
  }
  const child = spawn(file ?? '', args, {
    env: spec.env,
    cwd: spec.cwd,
    detached: true,
    stdio: [stdin, 'pipe', 'pipe'],
    ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
    ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
  });
  let exit: ExitRecord | undefined;
  let openStreams = 2;
  const finish = (): void => {
    if (!exit) return;
    log.flush();
    writeAtomic(spec.exitFile, JSON.stringify(exit));
    process.exit(0);
  };
  for (const [name, stream] of [
    ['stdout', child.stdout!],
    ['stderr', child.stderr!],
  ] as const) {
    const decoder = new StringDecoder('utf8');
    stream.on('data', (b: Buffer) => log.push(name, decoder.write(b)));
    stream.on('close', () => {
      openStreams--;
      if (openStreams === 0) finish();
    });
  }
  child.on('spawn', () => writeAtomic(spec.pidFile, String(child.pid)));
  child.on('error', (err) => {
    log.push('stderr', `${err.message}\n`);
    exit = { exitCode: 128, finishedAt: realClock.now(), message: err.message };
    finish();
  });
  child.on('exit', (code, signal) => {
    exit = {
      exitCode: code ?? 128 + (signal ? signalNumber(signal) : 0),
      ...(signal ? { signal } : {}),
      finishedAt: realClock.now(),
    };
    // Background children may keep the output pipes open: do not wait for them for long.
    if (openStreams === 0) finish();
    else setTimeout(finish, 500).unref();
  });
}

const specPath = process.argv[2];
if (specPath) main(specPath);
