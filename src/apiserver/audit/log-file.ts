import {
  closeSync,
  constants,
  createReadStream,
  createWriteStream,
  fchmodSync,
  fchownSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { chmod, chown, readdir, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { createLogger } from '../../util/logger.js';

// The line formats live in format.ts; the legacy one is offered here too, next to the sink that writes it.
export { legacyEventLine } from './format.js';

/*
 * The file sink of kube-apiserver's log audit backend: --audit-log-path and the rotation flags, which
 * upstream hands to gopkg.in/natefinch/lumberjack.v2. Names, limits and the cleanup of old files follow
 * lumberjack so that log shippers and operators' scripts see the same files.
 */

export interface AuditLogFileOptions {
  /** File path; '-' means standard output (no rotation then). */
  path: string;
  /** kube-apiserver --audit-log-maxsize: megabytes before rotation; 0 means lumberjack's default of 100. */
  maxSizeMb: number;
  /** --audit-log-maxbackup: rotated files to keep; 0 keeps all (subject to maxAgeDays). */
  maxBackups: number;
  /** --audit-log-maxage: days to keep rotated files (by the timestamp in their name); 0 keeps them regardless of age. */
  maxAgeDays: number;
  /** --audit-log-compress: gzip rotated files. */
  compress: boolean;
  /** Injected for tests: the current time. */
  now?: () => Date;
  /**
   * Collect the lines of one turn of the event loop and write them together (one system call for many events,
   * where one per event cost the API server ~15 % of its CPU per audited GET); `flush()` writes them at once.
   */
  buffered?: boolean;
}

const megabyte = 1024 * 1024;
const defaultMaxSizeMb = 100;
const dayMs = 24 * 60 * 60 * 1000;
const gzipSuffix = '.gz';
const stdoutFd = 1;
const appendFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;
// After a rotation the name is ours: whatever appeared there meanwhile is overwritten, as lumberjack does.
const freshFlags = appendFlags | constants.O_TRUNC;

const fallbackLog = createLogger('audit-log');

interface Backup {
  name: string;
  /** Rotation time encoded in the name, in ms. */
  time: number;
}

export class AuditLogFile {
  /** Where failed writes and cleanup errors go; without it they are logged to stderr. */
  onError?: (err: Error) => void;

  private readonly path: string;
  private readonly toStdout: boolean;
  private readonly maxBytes: number;
  private readonly now: () => Date;
  private readonly dir: string;
  /** The file name before its extension, and the extension as Go's filepath.Ext takes it. */
  private readonly stem: string;
  private readonly ext: string;
  private fd: number | undefined;
  private size = 0;
  private closed = false;
  private pending: string[] = [];
  private flushScheduled = false;
  private cleanupQueued = false;
  private cleanup: Promise<void> = Promise.resolve();

  constructor(private readonly opts: AuditLogFileOptions) {
    this.path = opts.path;
    this.toStdout = opts.path === '-';
    this.maxBytes = (opts.maxSizeMb > 0 ? opts.maxSizeMb : defaultMaxSizeMb) * megabyte;
    this.now = opts.now ?? (() => new Date());
    this.dir = dirname(opts.path);
    const base = basename(opts.path);
    const dot = base.lastIndexOf('.');
    this.stem = dot >= 0 ? base.slice(0, dot) : base;
    this.ext = dot >= 0 ? base.slice(dot) : '';
    if (this.toStdout) {
      this.fd = stdoutFd;
      return;
    }
    try {
      this.openExisting();
    } catch (err) {
      throw new Error(`cannot open the audit log file ${opts.path}: ${messageOf(err)}`, { cause: err });
    }
    // Like lumberjack, old backups are pruned when the log is opened, not only after a rotation.
    this.scheduleCleanup();
  }

  /** Appends one line (given without its newline), rotating first if it would take the file past the limit. */
  write(line: string): void {
    if (this.closed) {
      this.report(new Error(`audit log ${this.path} is closed: line dropped`));
      return;
    }
    if (!this.opts.buffered) {
      this.writeLines([line]);
      return;
    }
    this.pending.push(line);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the lines buffered so far. */
  flush(): void {
    this.flushScheduled = false;
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    this.writeLines(lines);
  }

  /** Writes the lines in as few writes as the size limit allows, rotating between them as lumberjack would. */
  private writeLines(lines: string[]): void {
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    const writeChunk = (): void => {
      if (chunk.length === 0) return;
      const data = chunk.length === 1 ? chunk[0]! : Buffer.concat(chunk, chunkBytes);
      chunk = [];
      chunkBytes = 0;
      try {
        this.writeAll(data);
      } catch (err) {
        this.report(
          new Error(`cannot write the audit log file ${this.path}: ${messageOf(err)}`, { cause: err }),
        );
      }
    };
    for (const line of lines) {
      const data = Buffer.from(line + '\n');
      if (!this.toStdout && !this.makeRoom(data.length, chunkBytes, writeChunk)) continue;
      chunk.push(data);
      chunkBytes += data.length;
    }
    writeChunk();
  }

  /**
   * Whether a line of `bytes` can go into the file after the `pending` bytes not yet written: opens the file
   * again after a failed rotation, rotates (writing what is pending first) when the line would pass the limit.
   */
  private makeRoom(bytes: number, pending: number, writePending: () => void): boolean {
    // lumberjack refuses such a write rather than letting one line outgrow the limit.
    if (bytes > this.maxBytes) {
      this.report(
        new Error(
          `audit log ${this.path}: a line of ${bytes} bytes exceeds the maximum file size of ${this.maxBytes}: line dropped`,
        ),
      );
      return false;
    }
    try {
      // A failed rotation may have left no file open: open it again, as lumberjack does on the next write.
      if (this.fd === undefined) this.openExisting();
    } catch (err) {
      this.report(
        new Error(`cannot open the audit log file ${this.path}: ${messageOf(err)}`, { cause: err }),
      );
      return false;
    }
    if (this.size + pending + bytes <= this.maxBytes) return true;
    writePending();
    try {
      this.rotate();
    } catch (err) {
      this.report(
        new Error(`cannot rotate the audit log file ${this.path}: ${messageOf(err)}`, { cause: err }),
      );
      return false;
    }
    return true;
  }

  /** Resolves when the pruning and compression of backups scheduled so far has finished. */
  flushCleanup(): Promise<void> {
    return this.cleanup;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined || this.toStdout) return;
    try {
      closeSync(fd);
    } catch (err) {
      this.report(
        new Error(`cannot close the audit log file ${this.path}: ${messageOf(err)}`, { cause: err }),
      );
    }
  }

  /** Opens (or creates, as kube-apiserver does at start: 0600 in a 0700 directory) the log for appending. */
  private openExisting(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.fd = openSync(this.path, appendFlags, 0o600);
    this.size = fstatSync(this.fd).size;
  }

  /** Moves the log aside under its backup name and starts a fresh one with the same mode and owner. */
  private rotate(): void {
    let old: Stats | undefined;
    try {
      old = statSync(this.path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    // Renamed before the file is closed: when the rename fails, writing goes on in the same file.
    if (old) renameSync(this.path, join(this.dir, `${this.stem}-${backupTimestamp(this.now())}${this.ext}`));
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      closeSync(fd);
    }
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const fd = openSync(this.path, freshFlags, 0o600);
    this.fd = fd;
    this.size = 0;
    if (old) {
      // Set outright: the mode given to open is narrowed by the umask.
      fchmodSync(fd, old.mode & 0o7777);
      keepOwner(fd, old);
    }
    this.scheduleCleanup();
  }

  private writeAll(data: Buffer): void {
    if (this.fd === undefined) throw new Error('no file open');
    let offset = 0;
    while (offset < data.length) {
      const written = writeSync(this.fd, data, offset, data.length - offset);
      if (written === 0) throw new Error('nothing written');
      offset += written;
      this.size += written;
    }
  }

  /**
   * Queues a cleanup pass off the write path. As with lumberjack's mill, one pass waiting behind a
   * running one is enough: it sees every rotation made before it starts.
   */
  private scheduleCleanup(): void {
    if (this.cleanupQueued) return;
    this.cleanupQueued = true;
    this.cleanup = this.cleanup.then(() => {
      this.cleanupQueued = false;
      return this.cleanOnce().catch((err: unknown) => this.report(err));
    });
  }

  /** Removes backups beyond maxBackups or older than maxAgeDays, then compresses the rest if asked to. */
  private async cleanOnce(): Promise<void> {
    const { maxBackups, maxAgeDays, compress } = this.opts;
    if (maxBackups <= 0 && maxAgeDays <= 0 && !compress) return;
    let backups = await this.listBackups();
    const remove: Backup[] = [];
    if (maxBackups > 0 && maxBackups < backups.length) {
      // A backup and its compressed copy (left by an interrupted compression) count as one.
      const counted = new Set<string>();
      const kept: Backup[] = [];
      for (const backup of backups) {
        counted.add(withoutGzipSuffix(backup.name));
        (counted.size > maxBackups ? remove : kept).push(backup);
      }
      backups = kept;
    }
    if (maxAgeDays > 0) {
      const cutoff = this.now().getTime() - maxAgeDays * dayMs;
      const kept: Backup[] = [];
      for (const backup of backups) (backup.time < cutoff ? remove : kept).push(backup);
      backups = kept;
    }
    for (const backup of remove) {
      await unlink(join(this.dir, backup.name)).catch((err: unknown) => {
        if (!isNotFound(err)) this.report(err);
      });
    }
    if (!compress) return;
    for (const backup of backups) {
      if (backup.name.endsWith(gzipSuffix)) continue;
      await compressBackup(join(this.dir, backup.name)).catch((err: unknown) => this.report(err));
    }
  }

  /** The backups of this log in its directory, newest first; no other file is ever touched. */
  private async listBackups(): Promise<Backup[]> {
    const backups: Backup[] = [];
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const time =
        this.timeInName(entry.name, this.ext) ?? this.timeInName(entry.name, this.ext + gzipSuffix);
      if (time !== undefined) backups.push({ name: entry.name, time });
    }
    return backups.sort((a, b) => b.time - a.time);
  }

  private timeInName(name: string, ext: string): number | undefined {
    const prefix = this.stem + '-';
    if (name.length < prefix.length + ext.length || !name.startsWith(prefix) || !name.endsWith(ext)) {
      return undefined;
    }
    return parseBackupTimestamp(name.slice(prefix.length, name.length - ext.length));
  }

  /** Never throws, not even when the callback does: writes and the cleanup chain must go on. */
  private report(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    if (!this.onError) {
      fallbackLog.error(error.message);
      return;
    }
    try {
      this.onError(error);
    } catch (callbackErr) {
      fallbackLog.error(error.message, { onErrorFailed: messageOf(callbackErr) });
    }
  }
}

/** lumberjack's backup time layout, Go's 2006-01-02T15-04-05.000, in UTC. */
export function backupTimestamp(time: Date): string {
  return time.toISOString().slice(0, 23).replaceAll(':', '-');
}

const backupTimestampPattern = /^(\d{4})-(\d\d)-(\d\d)T(\d\d)-(\d\d)-(\d\d)\.(\d{3})$/;

/** The time in a backup's name, or undefined when it is no time at all (Go's time.Parse fails). */
function parseBackupTimestamp(text: string): number | undefined {
  const match = backupTimestampPattern.exec(text);
  if (!match) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, ms = 0] = match.slice(1).map(Number);
  const time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC carries over (a 31st of April becomes May 1st); Go's parser rejects such dates.
  return backupTimestamp(new Date(time)) === text ? time : undefined;
}

/** Gzips a backup next to itself with its mode and owner, then removes the original. */
async function compressBackup(path: string): Promise<void> {
  const target = path + gzipSuffix;
  const source = await stat(path);
  const mode = source.mode & 0o7777;
  try {
    // Truncates a partial copy an interrupted attempt may have left.
    await pipeline(createReadStream(path), createGzip(), createWriteStream(target, { mode }));
    await chmod(target, mode);
    // Best effort, as for a rotated log: only a privileged process can give a file away.
    await chown(target, source.uid, source.gid).catch(() => {});
  } catch (err) {
    await rm(target, { force: true });
    throw new Error(`cannot compress the audit log backup ${path}: ${messageOf(err)}`, { cause: err });
  }
  await unlink(path);
}

/**
 * Gives a file the owner of the one it replaces. Only a privileged process can hand a file to another
 * user, and the log works without it: a refusal is not an error.
 */
function keepOwner(fd: number, old: Stats): void {
  const current = fstatSync(fd);
  if (current.uid === old.uid && current.gid === old.gid) return;
  try {
    fchownSync(fd, old.uid, old.gid);
  } catch {
    // Not permitted: the new file stays ours.
  }
}

function withoutGzipSuffix(name: string): string {
  return name.endsWith(gzipSuffix) ? name.slice(0, -gzipSuffix.length) : name;
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
