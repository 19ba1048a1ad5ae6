/**
 * The audit log backend: events as lines of JSON (or upstream's legacy text) in a rotated file. API worker
 * processes format their events themselves and hand the lines to the main process, the file's only writer.
 */
import type { Logger } from '../../util/logger.js';
import { eventJson, type AuditEvent, type AuditSink } from './event.js';
import { legacyEventLine } from './format.js';
import { AuditLogFile } from './log-file.js';
import { Auditor } from './auditor.js';
import { readAuditPolicy, type AuditPolicy } from './policy.js';

export type AuditLogFormat = 'json' | 'legacy';

export interface AuditLogSettings {
  policyFile: string;
  logPath: string;
  format: AuditLogFormat;
  maxAgeDays: number;
  maxBackups: number;
  maxSizeMb: number;
  compress: boolean;
}

export function eventLine(ev: AuditEvent, format: AuditLogFormat): string {
  return format === 'json' ? eventJson(ev) : legacyEventLine(ev);
}

/** Formats each event at once (the record goes on changing) and passes the line on. */
export class LineSink implements AuditSink {
  constructor(
    private readonly format: AuditLogFormat,
    private readonly writeLine: (line: string) => void,
  ) {}

  write(event: AuditEvent): void {
    this.writeLine(eventLine(event, this.format));
  }
}

export interface AuditLog {
  auditor: Auditor;
  policy: AuditPolicy;
  /** Appends a line formatted elsewhere (by an API worker). */
  writeLine(line: string): void;
  close(): void;
}

/** Reads the policy and opens the log file; either failing stops the server's start with the reason. */
export function openAuditLog(settings: AuditLogSettings, logger: Logger): AuditLog {
  const policy = readAuditPolicy(settings.policyFile);
  const file = new AuditLogFile({
    path: settings.logPath,
    maxSizeMb: settings.maxSizeMb,
    maxBackups: settings.maxBackups,
    maxAgeDays: settings.maxAgeDays,
    compress: settings.compress,
  });
  file.onError = (err) => logger.error('audit log', { error: err.message });
  const writeLine = (line: string): void => file.write(line);
  return {
    auditor: new Auditor(policy, new LineSink(settings.format, writeLine)),
    policy,
    writeLine,
    close: () => file.close(),
  };
}
