/**
 * Where audit events go: the log file (JSON lines or upstream's legacy text, rotated) and the webhook, as
 * kube-apiserver's union of backends. Each event is serialized once, as it is sent. API worker processes send
 * their events' JSON to the main process, the backends' only writer.
 */
import { loadKubeconfig } from '../../client/config.js';
import type { Logger } from '../../util/logger.js';
import { Auditor } from './auditor.js';
import { eventJson, type AuditEvent, type AuditSink } from './event.js';
import { legacyEventLine } from './format.js';
import { AuditLogFile } from './log-file.js';
import { readAuditPolicy, type AuditPolicy } from './policy.js';
import { AuditWebhookBackend, type AuditWebhookSettings } from './webhook-backend.js';

export type AuditLogFormat = 'json' | 'legacy';

export interface AuditSettings {
  policyFile: string;
  log?: {
    path: string;
    format: AuditLogFormat;
    maxAgeDays: number;
    maxBackups: number;
    maxSizeMb: number;
    compress: boolean;
  };
  webhook?: AuditWebhookSettings & { configFile: string };
}

/** Passes each event on as JSON, serialized at once (the record goes on changing). */
export class JsonSink implements AuditSink {
  constructor(private readonly writeJson: (json: string, event?: AuditEvent) => void) {}

  write(event: AuditEvent): void {
    this.writeJson(eventJson(event), event);
  }
}

export interface AuditBackends {
  auditor: Auditor;
  policy: AuditPolicy;
  /** Hands an event's JSON to every backend (the event itself when at hand, to spare parsing it back). */
  writeJson(json: string, event?: AuditEvent): void;
  close(): Promise<void>;
}

/** Reads the policy and opens the backends; a bad policy, log path or webhook kubeconfig stops the start. */
export async function openAudit(settings: AuditSettings, logger: Logger): Promise<AuditBackends> {
  const policy = readAuditPolicy(settings.policyFile);
  const writers: ((json: string, event?: AuditEvent) => void)[] = [];
  const closers: (() => Promise<void>)[] = [];
  if (settings.log) {
    const { path, format, maxAgeDays, maxBackups, maxSizeMb, compress } = settings.log;
    const file = new AuditLogFile({ path, maxSizeMb, maxBackups, maxAgeDays, compress, buffered: true });
    file.onError = (err) => logger.error('audit log', { error: err.message });
    writers.push(
      format === 'json'
        ? (json) => file.write(json)
        : (json, event) => file.write(legacyEventLine(event ?? (JSON.parse(json) as AuditEvent))),
    );
    closers.push(() => Promise.resolve(file.close()));
  }
  if (settings.webhook) {
    const target = await loadKubeconfig(settings.webhook.configFile).catch((err: Error) => {
      throw new Error(`loading audit webhook config file: ${err.message}`);
    });
    const hook = new AuditWebhookBackend(target, settings.webhook, logger.child('webhook'));
    writers.push((json) => hook.write(json));
    closers.push(() => hook.close());
  }
  const writeJson = (json: string, event?: AuditEvent): void => {
    for (const write of writers) write(json, event);
  };
  return {
    auditor: new Auditor(policy, new JsonSink(writeJson)),
    policy,
    writeJson,
    close: async () => {
      for (const close of closers) await close();
    },
  };
}
