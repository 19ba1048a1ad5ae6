import { resolve } from 'node:path';
import type { AuditSettings } from '../apiserver/audit/backends.js';
import { goDurationMs } from '../util/go-duration.js';
import type { CliIo, FlagSpec, FlagValues, UsageError } from './command.js';

/**
 * kube-apiserver's audit flags. Requests are audited with a policy and at least one backend: the log
 * (`--audit-log-path`, a file or `-`; maxSizeMb 0 is lumberjack's default, 100 MB) or the webhook.
 */
export type AuditOptions = AuditSettings;

const FORMATS = ['json', 'legacy'] as const;
const MODES = ['blocking', 'blocking-strict', 'batch'] as const;

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
    description: "Write audit events to this file ('-' for standard output)",
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
    description:
      'blocking, blocking-strict or batch (accepted; each event-loop turn writes its events at once)',
    defaultText: 'blocking',
  },
  {
    name: 'audit-webhook-config-file',
    type: 'string',
    valueName: 'FILE',
    description: 'A kubeconfig naming the server audit events are POSTed to (as audit.k8s.io/v1 EventLists)',
  },
  {
    name: 'audit-webhook-mode',
    type: 'string',
    valueName: 'MODE',
    description: 'batch (events sent in batches) or blocking/blocking-strict (each event sent as it comes)',
    defaultText: 'batch',
  },
  {
    name: 'audit-webhook-batch-max-size',
    type: 'string',
    valueName: 'N',
    description: 'Events per webhook request at most',
    defaultText: '400',
  },
  {
    name: 'audit-webhook-batch-max-wait',
    type: 'string',
    valueName: 'DURATION',
    description: 'How long an event waits for its batch to fill',
    defaultText: '30s',
  },
  {
    name: 'audit-webhook-batch-buffer-size',
    type: 'string',
    valueName: 'N',
    description: 'Events waiting for the webhook at most (more are dropped)',
    defaultText: '10000',
  },
  {
    name: 'audit-webhook-initial-backoff',
    type: 'string',
    valueName: 'DURATION',
    description: 'Delay before the first retry of a failed webhook request (1.5 times longer each time)',
    defaultText: '10s',
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
  if (!FORMATS.includes(format as (typeof FORMATS)[number]))
    throw bad('audit-log-format', format, `must be one of ${FORMATS.join(', ')}`);
  const mode = (flag: string, fallback: (typeof MODES)[number]): (typeof MODES)[number] => {
    const text = str(flag) ?? fallback;
    if (!MODES.includes(text as (typeof MODES)[number]))
      throw bad(flag, text, `must be one of ${MODES.join(', ')}`);
    return text as (typeof MODES)[number];
  };
  const duration = (flag: string, fallbackMs: number): number => {
    const text = str(flag);
    if (text === undefined) return fallbackMs;
    const ms = goDurationMs(text);
    if (ms === undefined || ms < 0) throw bad(flag, text, 'must be a duration such as 30s or 500ms');
    return ms;
  };
  const positive = (flag: string, fallback: number): number => {
    const n = str(flag) === undefined ? fallback : count(flag);
    if (n < 1) throw bad(flag, String(n), 'must be at least 1');
    return n;
  };
  mode('audit-log-mode', 'blocking');
  const webhookMode = mode('audit-webhook-mode', 'batch');
  const webhook = {
    mode: webhookMode,
    batchMaxSize: positive('audit-webhook-batch-max-size', 400),
    batchMaxWaitMs: duration('audit-webhook-batch-max-wait', 30_000),
    bufferSize: positive('audit-webhook-batch-buffer-size', 10_000),
    initialBackoffMs: duration('audit-webhook-initial-backoff', 10_000),
  };
  const maxAgeDays = count('audit-log-maxage');
  const maxBackups = count('audit-log-maxbackup');
  const maxSizeMb = count('audit-log-maxsize');
  const policyFile = str('audit-policy-file');
  const logPath = str('audit-log-path');
  const webhookConfig = str('audit-webhook-config-file');
  if (policyFile === '') throw bad('audit-policy-file', '', 'must not be empty');
  if (webhookConfig === '') throw bad('audit-webhook-config-file', '', 'must not be empty');
  // As kube-apiserver: without a policy, or without a backend, nothing is audited.
  if (!policyFile || (!logPath && !webhookConfig)) return undefined;
  const options: AuditOptions = { policyFile: resolve(io.cwd, policyFile) };
  if (logPath) {
    options.log = {
      path: logPath === '-' ? '-' : resolve(io.cwd, logPath),
      format: format as 'json' | 'legacy',
      maxAgeDays,
      maxBackups,
      maxSizeMb,
      compress: values['audit-log-compress'] === true,
    };
  }
  if (webhookConfig) options.webhook = { configFile: resolve(io.cwd, webhookConfig), ...webhook };
  return options;
}
