/** networking.k8s.io/v1. */
import { declare } from '../schema.js';

declare('networking', {
  Ingress: { metadata: '1 meta.ObjectMeta', spec: '2 IngressSpec', status: '3 IngressStatus' },
  IngressSpec: {
    ingressClassName: '4 *string',
    defaultBackend: '1 *IngressBackend',
    tls: '2 []IngressTLS',
    rules: '3 []IngressRule',
  },
  IngressBackend: { service: '4 *IngressServiceBackend', resource: '3 *core.TypedLocalObjectReference' },
  IngressServiceBackend: { name: '1 string', port: '2 ServiceBackendPort' },
  ServiceBackendPort: { name: '1 string', number: '2 int32' },
  IngressTLS: { hosts: '1 []string', secretName: '2 string' },
  IngressRule: { host: '1 string', ingressRuleValue: '2 ...IngressRuleValue' },
  IngressRuleValue: { http: '1 *HTTPIngressRuleValue' },
  HTTPIngressRuleValue: { paths: '1 []HTTPIngressPath' },
  HTTPIngressPath: { path: '1 string', pathType: '3 *string', backend: '2 IngressBackend' },
  IngressStatus: { loadBalancer: '1 IngressLoadBalancerStatus' },
  IngressLoadBalancerStatus: { ingress: '1 []IngressLoadBalancerIngress' },
  IngressLoadBalancerIngress: { ip: '1 string', hostname: '2 string', ports: '4 []IngressPortStatus' },
  IngressPortStatus: { port: '1 int32', protocol: '2 string', error: '3 *string' },
  IngressClass: { metadata: '1 meta.ObjectMeta', spec: '2 IngressClassSpec' },
  IngressClassSpec: { controller: '1 string', parameters: '2 *IngressClassParametersReference' },
  IngressClassParametersReference: {
    apiGroup: '1 *string',
    kind: '2 string',
    name: '3 string',
    scope: '4 *string',
    namespace: '5 *string',
  },
  NetworkPolicy: { metadata: '1 meta.ObjectMeta', spec: '2 NetworkPolicySpec' },
  NetworkPolicySpec: {
    podSelector: '1 meta.LabelSelector',
    ingress: '2 []NetworkPolicyIngressRule',
    egress: '3 []NetworkPolicyEgressRule',
    policyTypes: '4 []string',
  },
  NetworkPolicyIngressRule: { ports: '1 []NetworkPolicyPort', from: '2 []NetworkPolicyPeer' },
  NetworkPolicyEgressRule: { ports: '1 []NetworkPolicyPort', to: '2 []NetworkPolicyPeer' },
  NetworkPolicyPort: { protocol: '1 *string', port: '2 *meta.IntOrString', endPort: '3 *int32' },
  NetworkPolicyPeer: {
    podSelector: '1 *meta.LabelSelector',
    namespaceSelector: '2 *meta.LabelSelector',
    ipBlock: '3 *IPBlock',
  },
  IPBlock: { cidr: '1 string', except: '2 []string' },
});
