import { resolve } from 'node:path';
import type { CliIo, FlagSpec, FlagValues, UsageError } from './command.js';

/** kube-apiserver's audit log flags. Requests are audited only with both a policy and a log path. */
export interface AuditOptions {
  policyFile: string;
  /** A file, or `-` for standard output. */
  logPath: string;
  format: 'json' | 'legacy';
  maxAgeDays: number;
  maxBackups: number;
  /** 0: lumberjack's default, 100 MB. */
  maxSizeMb: number;
  compress: boolean;
}

const FORMATS = ['json', 'legacy'] as const;
const MODES = ['blocking', 'blocking-strict', 'batch'];

export const auditFlags: FlagSpec[] = [
  {
    name: 'audit-policy-file',
    type: 'string',
    valueName: 'FILE',
    description: 'The audit policy (audit.k8s.io/v1 Policy): which requests are logged, at which level',
  },
  {
    name: 'audit-log-path',
    type: 'string',
    valueName: 'FILE',
    description: "Write audit events to this file ('-' for standard output); nothing is audited without it",
  },
  {
    name: 'audit-log-format',
    type: 'string',
    valueName: 'FORMAT',
    description: 'json (one audit.k8s.io/v1 Event per line) or legacy (one line of text per event)',
    defaultText: 'json',
  },
  {
    name: 'audit-log-maxage',
    type: 'string',
    valueName: 'DAYS',
    description: 'Remove rotated audit logs older than this many days (0: keep them)',
  },
  {
    name: 'audit-log-maxbackup',
    type: 'string',
    valueName: 'N',
    description: 'Keep at most this many rotated audit logs (0: keep them all)',
  },
  {
    name: 'audit-log-maxsize',
    type: 'string',
    valueName: 'MB',
    description: 'Rotate the audit log when it reaches this many megabytes',
    defaultText: '100',
  },
  {
    name: 'audit-log-compress',
    type: 'boolean',
    description: 'Gzip rotated audit logs',
  },
  {
    name: 'audit-log-mode',
    type: 'string',
    valueName: 'MODE',
    description: 'blocking, blocking-strict or batch (accepted; every event is written before its answer)',
    defaultText: 'blocking',
  },
];

export function resolveAuditOptions(
  str: (flag: string) => string | undefined,
  values: FlagValues,
  bad: (flag: string, value: string, why: string) => UsageError,
  io: Pick<CliIo, 'cwd'>,
): AuditOptions | undefined {
  const count = (flag: string): number => {
    const text = str(flag);
    if (text === undefined) return 0;
    if (!/^\d{1,6}$/.test(text)) throw bad(flag, text, 'must be a whole number, 0 or more');
    return Number(text);
  };
  const format = str('audit-log-format') ?? 'json';
  if (!FORMATS.includes(format as AuditOptions['format']))
    throw bad('audit-log-format', format, `must be one of ${FORMATS.join(', ')}`);
  const mode = str('audit-log-mode') ?? 'blocking';
  if (!MODES.includes(mode)) throw bad('audit-log-mode', mode, `must be one of ${MODES.join(', ')}`);
  const maxAgeDays = count('audit-log-maxage');
  const maxBackups = count('audit-log-maxbackup');
  const maxSizeMb = count('audit-log-maxsize');
  const policyFile = str('audit-policy-file');
  const logPath = str('audit-log-path');
  if (policyFile === '') throw bad('audit-policy-file', '', 'must not be empty');
  // As kube-apiserver: a policy without a log path, or a log path without a policy, audits nothing.
  if (!policyFile || !logPath) return undefined;
  return {
    policyFile: resolve(io.cwd, policyFile),
    logPath: logPath === '-' ? '-' : resolve(io.cwd, logPath),
    format: format as AuditOptions['format'],
    maxAgeDays,
    maxBackups,
    maxSizeMb,
    compress: values['audit-log-compress'] === true,
  };
}
