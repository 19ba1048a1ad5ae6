/** NetworkPolicy (networking.k8s.io/v1): policyTypes and protocol defaults, ports, peers, ipBlocks. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateLabelSelector } from '../../../api/labels.js';
import { isValidPortName, isValidPortNum } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { child, isStrictSubnet, isValidCIDR, list, rec, str, validateCIDR } from './core-common.js';

const POLICY_TYPES = ['Ingress', 'Egress'];

function defaultNetworkPolicy(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  for (const direction of ['ingress', 'egress']) {
    for (const rule of list(spec[direction])) {
      for (const port of list(rec(rule)?.ports)) {
        const p = rec(port);
        if (p && (p.protocol === undefined || p.protocol === null)) p.protocol = 'TCP';
      }
    }
  }
  if (list(spec.policyTypes).length === 0) {
    spec.policyTypes = list(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

function validatePort(item: unknown, path: string): FieldError[] {
  const p = rec(item) ?? {};
  const errs: FieldError[] = [];
  if (p.protocol !== undefined && p.protocol !== null && !['TCP', 'UDP', 'SCTP'].includes(str(p.protocol))) {
    errs.push(fieldErr.notSupported(`${path}.protocol`, p.protocol, ['TCP', 'UDP', 'SCTP']));
  }
  const endPort = p.endPort;
  const hasEnd = endPort !== undefined && endPort !== null;
  if (p.port === undefined || p.port === null) {
    if (hasEnd)
      errs.push(
        fieldErr.invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is not specified'),
      );
  } else if (typeof p.port === 'number') {
    for (const m of isValidPortNum(p.port)) errs.push(fieldErr.invalid(`${path}.port`, p.port, m));
    if (hasEnd) {
      if (Number(endPort) < p.port) {
        errs.push(fieldErr.invalid(`${path}.endPort`, endPort, 'must be greater than or equal to `port`'));
      }
      for (const m of isValidPortNum(Number(endPort)))
        errs.push(fieldErr.invalid(`${path}.endPort`, endPort, m));
    }
  } else {
    if (hasEnd) {
      errs.push(
        fieldErr.invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is non-numeric'),
      );
    }
    const name = str(p.port);
    for (const m of isValidPortName(name)) errs.push(fieldErr.invalid(`${path}.port`, name, m));
  }
  return errs;
}

function validateIPBlock(block: Record<string, unknown>, path: string): FieldError[] {
  const cidr = str(block.cidr);
  if (cidr === '') return [fieldErr.required(`${path}.cidr`)];
  const errs = validateCIDR(cidr, `${path}.cidr`);
  list(block.except).forEach((e, i) => {
    const except = str(e);
    const p = `${path}.except[${i}]`;
    const exceptErrs = validateCIDR(except, p);
    errs.push(...exceptErrs);
    if (exceptErrs.length === 0 && isValidCIDR(cidr) && !isStrictSubnet(except, cidr)) {
      errs.push(fieldErr.invalid(p, except, 'must be a strict subset of `cidr`'));
    }
  });
  return errs;
}

function validatePeer(item: unknown, path: string): FieldError[] {
  const peer = rec(item) ?? {};
  const errs: FieldError[] = [];
  let count = 0;
  if (rec(peer.podSelector)) {
    count++;
    errs.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`));
  }
  if (rec(peer.namespaceSelector)) {
    count++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`));
  }
  const ipBlock = rec(peer.ipBlock);
  if (ipBlock) {
    count++;
    errs.push(...validateIPBlock(ipBlock, `${path}.ipBlock`));
  }
  if (count === 0) errs.push(fieldErr.required(path, 'must specify a peer'));
  else if (count > 1 && ipBlock)
    errs.push(fieldErr.forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateNetworkPolicy(obj: KubeObject): FieldError[] {
  const spec = rec(obj.spec) ?? {};
  const errs = validateLabelSelector(spec.podSelector ?? {}, 'spec.podSelector');
  for (const [direction, peers] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    list(spec[direction]).forEach((item, i) => {
      const rule = rec(item) ?? {};
      const path = `spec.${direction}[${i}]`;
      list(rule.ports).forEach((p, j) => errs.push(...validatePort(p, `${path}.ports[${j}]`)));
      list(rule[peers]).forEach((p, j) => errs.push(...validatePeer(p, `${path}.${peers}[${j}]`)));
    });
  }
  const types = list(spec.policyTypes);
  if (types.length > POLICY_TYPES.length) {
    errs.push(fieldErr.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(str(t)))
      errs.push(fieldErr.notSupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES));
  });
  return errs;
}

export const networkPolicyStrategy: Strategy = {
  defaults: defaultNetworkPolicy,
  validate: validateNetworkPolicy,
};
