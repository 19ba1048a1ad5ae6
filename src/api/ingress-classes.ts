import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import { newestOf } from './newest-class.js';

/** Upstream's annotation that makes an IngressClass the one class-less Ingresses get. */
export const ANN_DEFAULT_INGRESS_CLASS = 'ingressclass.kubernetes.io/is-default-class';
/** The class annotation Ingresses used before `spec.ingressClassName`; still honoured by controllers. */
export const ANN_INGRESS_CLASS = 'kubernetes.io/ingress.class';

/** The IngressClass every cluster with the built-in ingress controller starts with (k3s's is `traefik`). */
export const TUGBOAT_INGRESS_CLASS = 'tugboat';
/** `spec.controller` of the classes the built-in ingress controller serves. */
export const TUGBOAT_INGRESS_CONTROLLER = 'tugboat.dev/ingress-controller';

/** Upstream: the annotation set to exactly "true". */
export function isDefaultIngressClass(cls: IngressClass): boolean {
  return cls.metadata?.annotations?.[ANN_DEFAULT_INGRESS_CLASS] === 'true';
}

/**
 * Upstream DefaultIngressClass's choice among several default classes: the newest, ties broken by
 * name.
 */
export function pickDefaultIngressClass(classes: readonly IngressClass[]): IngressClass | undefined {
  return newestOf(classes.filter(isDefaultIngressClass));
}

/** The class an Ingress asks for: `spec.ingressClassName`, else the legacy annotation; undefined for none. */
export function requestedIngressClass(ing: Ingress): string | undefined {
  return ing.spec?.ingressClassName ?? ing.metadata?.annotations?.[ANN_INGRESS_CLASS];
}

/** The built-in controller's class, the cluster's default. */
export function tugboatIngressClass(): IngressClass {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: TUGBOAT_INGRESS_CLASS, annotations: { [ANN_DEFAULT_INGRESS_CLASS]: 'true' } },
    spec: { controller: TUGBOAT_INGRESS_CONTROLLER },
  };
}
