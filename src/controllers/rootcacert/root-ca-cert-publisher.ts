import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { R, type Informer } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as ' +
  'the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of ' +
  'Kubernetes clusters.';

/**
 * Upstream's root-ca-cert-publisher: every active namespace has a ConfigMap `kube-root-ca.crt` holding the
 * cluster CA (`ca.crt`), re-created when deleted and restored when changed. The CA comes from the
 * `rootCaPem` option (the server passes its CA; alone, the kubeconfig's); without one it does nothing.
 */
export class RootCaCertPublisher extends QueueController {
  private readonly namespaces: Informer<Namespace>;
  private readonly configMaps: Informer<ConfigMap>;
  private readonly caPem: string | undefined;

  constructor(ctx: ControllerContext) {
    super('root-ca-cert-publisher', ctx);
    const ca = ctx.options.rootCaPem;
    this.caPem = typeof ca === 'string' && ca !== '' ? ca : undefined;
    this.namespaces = ctx.informers.informer<Namespace>(R.namespaces);
    this.configMaps = ctx.informers.informer<ConfigMap>(R.configMaps, {
      fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}`,
    });
    if (!this.caPem) return;
    this.namespaces.addEventHandler({ add: (n) => this.enqueue(n), update: (_, n) => this.enqueue(n) });
    const byNamespace = (cm: ConfigMap): void => this.queue.add(cm.metadata?.namespace ?? '');
    this.configMaps.addEventHandler({ update: (_, cm) => byNamespace(cm), delete: byNamespace });
  }

  protected async sync(namespace: string): Promise<void> {
    const ca = this.caPem;
    const ns = this.namespaces.get('', namespace);
    if (!ca || !ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const client = this.ctx.client.resource<ConfigMap>(R.configMaps);
    const current = this.configMaps.get(namespace, ROOT_CA_CONFIGMAP);
    try {
      if (!current) {
        await client.create({
          metadata: {
            name: ROOT_CA_CONFIGMAP,
            namespace,
            annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION },
          },
          data: { 'ca.crt': ca },
        });
        return;
      }
      const data = current.data ?? {};
      const annotations = current.metadata?.annotations ?? {};
      if (
        Object.keys(data).length === 1 &&
        data['ca.crt'] === ca &&
        annotations[DESCRIPTION_ANNOTATION] === DESCRIPTION
      )
        return;
      await client.update({
        ...current,
        metadata: {
          ...current.metadata,
          annotations: { ...annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION },
        },
        data: { 'ca.crt': ca },
      });
    } catch (err) {
      // The namespace started terminating meanwhile. (AlreadyExists and Conflict: the cache lags; retried.)
      if (hasReason(err, 'Forbidden') || hasReason(err, 'NotFound')) return;
      throw err;
    }
  }
}
