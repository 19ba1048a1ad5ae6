import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import { ANN_INGRESS_CLASS, pickDefaultIngressClass } from '../../api/ingress-classes.js';
import type { KubeObject } from '../../api/meta.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';

/**
 * Upstream DefaultIngressClass admission: an Ingress created with no class at all (no spec.ingressClassName,
 * not even "", and no `kubernetes.io/ingress.class` annotation) gets the default IngressClass, if there is one.
 */
export async function admitDefaultIngressClass(
  storage: ObjectStorage,
  registry: Registry,
  obj: KubeObject,
): Promise<void> {
  const ing = obj as KubeObject & { spec?: { ingressClassName?: string | null } };
  if (ing.spec?.ingressClassName !== undefined && ing.spec.ingressClassName !== null) return;
  if (ing.metadata?.annotations?.[ANN_INGRESS_CLASS] !== undefined) return;
  const page = await storage.list(registry.mustGet('networking.k8s.io', 'ingressclasses'));
  const cls = pickDefaultIngressClass(page.items as IngressClass[]);
  if (!cls?.metadata?.name) return;
  ing.spec = { ...ing.spec, ingressClassName: cls.metadata.name };
}
