/** The bridge between the REST write paths and the webhook plugins: admission attributes of a request. */
import type { AuditRecord } from '../audit/record.js';
import type { KubeObject } from '../../api/meta.js';
import type { UserInfo } from '../config.js';
import type { ResourceDef } from '../registry/types.js';
import type { ApiContext, RequestScope } from '../rest/context.js';
import type { WebhookAdmission } from './dispatcher.js';
import type { AdmissionAttributes, Operation } from './types.js';

/** The webhook plugins, when the write comes from a client request and any webhook is configured. */
export function webhooksFor(
  ctx: ApiContext,
  request: RequestScope | undefined,
): WebhookAdmission | undefined {
  return request && ctx.webhooks && !ctx.webhooks.idle ? ctx.webhooks : undefined;
}

const OPTIONS_KIND: Record<Operation, string> = {
  CREATE: 'CreateOptions',
  UPDATE: 'UpdateOptions',
  DELETE: 'DeleteOptions',
  CONNECT: '',
};

export function admissionAttributes(
  s: RequestScope,
  operation: Operation,
  def: ResourceDef,
  obj: KubeObject | undefined,
  dryRun: boolean,
  extraOptions: Record<string, unknown> = {},
): AdmissionAttributes {
  const name = obj?.metadata?.name ?? s.name ?? '';
  const isNamespace = def.group === '' && def.plural === 'namespaces';
  const options: Record<string, unknown> = { kind: OPTIONS_KIND[operation], apiVersion: 'meta.k8s.io/v1' };
  if (dryRun) options.dryRun = ['All'];
  const fieldManager = s.query.get('fieldManager');
  if (fieldManager && operation !== 'DELETE') options.fieldManager = fieldManager;
  Object.assign(options, extraOptions);
  return {
    operation,
    def,
    requestGroup: s.served.group,
    requestVersion: s.served.version,
    subresource: s.subresource ?? '',
    // Upstream's admission attributes name a Namespace object's own name as its namespace.
    namespace: isNamespace ? name : (s.namespace ?? obj?.metadata?.namespace ?? ''),
    name,
    user: s.user,
    dryRun,
    options,
    ...(s.out.audit ? { annotate: annotatorOf(s.out.audit) } : {}),
  };
}

function annotatorOf(record: AuditRecord): NonNullable<AdmissionAttributes['annotate']> {
  return (key, value, minLevel) => record.annotate(key, value, minLevel);
}

const CONNECT_KINDS: Record<string, string> = {
  exec: 'PodExecOptions',
  attach: 'PodAttachOptions',
  portforward: 'PodPortForwardOptions',
};

/**
 * A `pods/exec|attach|portforward` request as webhooks see it (operation CONNECT): the options object of the
 * upgrade's query, e.g. PodExecOptions with the command. Resolves when no webhook refuses it.
 */
export async function admitConnect(
  ctx: ApiContext,
  user: UserInfo,
  namespace: string,
  name: string,
  subresource: string,
  query: URLSearchParams,
): Promise<void> {
  const webhooks = ctx.webhooks;
  const kind = CONNECT_KINDS[subresource];
  if (!webhooks || webhooks.idle || !kind) return;
  const flag = (k: string): boolean => query.get(k) === 'true' || query.get(k) === '1';
  const options: KubeObject = { kind, apiVersion: 'v1' };
  if (subresource === 'portforward') {
    options.ports = query.getAll('ports').map(Number);
  } else {
    for (const k of ['stdin', 'stdout', 'stderr', 'tty']) if (flag(k)) options[k] = true;
    const container = query.get('container');
    if (container) options.container = container;
    if (subresource === 'exec') options.command = query.getAll('command');
  }
  const def = ctx.registry.mustGet('', 'pods');
  const attrs: AdmissionAttributes = {
    operation: 'CONNECT',
    def,
    requestGroup: '',
    requestVersion: 'v1',
    subresource,
    namespace,
    name,
    user,
    dryRun: false,
    subresourceKind: { group: '', version: 'v1', kind },
  };
  // Connect requests have no warning channel (the answer is a protocol upgrade).
  await webhooks.admitConnect(attrs, options, () => {});
}
