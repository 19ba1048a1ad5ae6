/**
 * Service (core/v1): defaults (v1 defaults.go plus the single-stack IP family defaults the REST storage
 * applies), validation and the update carry-overs of upstream's strategy. IP and node-port allocation
 * happen elsewhere; this only checks what the user sent.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateLabels } from '../../../api/labels.js';
import { isValidPortName, isValidPortNum } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { PORT_PROTOCOLS, validateNonSpecialIP } from './core-endpoints.js';
import {
  child,
  clone,
  goStrings,
  invalidRaw,
  list,
  rec,
  sameJSON,
  str,
  validateDNSLabel,
  validateDNSSubdomain,
  validateIP,
  type Obj,
} from './core-common.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const DEFAULT_AFFINITY_TIMEOUT = 10800;
const MAX_AFFINITY_TIMEOUT = 86400;

const specOf = (obj: KubeObject): Obj => rec(obj.spec) ?? {};
const usesNodePorts = (type: string): boolean => type === 'NodePort' || type === 'LoadBalancer';
const externallyAccessible = (spec: Obj): boolean =>
  usesNodePorts(str(spec.type)) || (spec.type === 'ClusterIP' && list(spec.externalIPs).length > 0);

function isZeroTargetPort(v: unknown): boolean {
  return v === undefined || v === null || v === 0 || v === '';
}

function defaultService(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  if (!spec.type) spec.type = 'ClusterIP';
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = child(child(spec, 'sessionAffinityConfig'), 'clientIP');
    if (clientIP.timeoutSeconds === undefined || clientIP.timeoutSeconds === null) {
      clientIP.timeoutSeconds = DEFAULT_AFFINITY_TIMEOUT;
    }
  }
  for (const item of list(spec.ports)) {
    const port = rec(item);
    if (!port) continue;
    if (!port.protocol) port.protocol = 'TCP';
    if (isZeroTargetPort(port.targetPort)) port.targetPort = port.port;
  }
  if (!spec.externalTrafficPolicy && externallyAccessible(spec)) spec.externalTrafficPolicy = 'Cluster';
  const type = str(spec.type);
  if (type !== 'ExternalName') {
    if (!spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
    normalizeClusterIPs(spec);
    defaultIPFamilies(spec);
  }
  if (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) {
    spec.allocateLoadBalancerNodePorts = true;
  }
}

/** clusterIP and clusterIPs[0] are the same value; fill whichever is missing. */
function normalizeClusterIPs(spec: Obj): void {
  const ip = str(spec.clusterIP);
  const ips = list(spec.clusterIPs);
  if (ip && ips.length === 0) spec.clusterIPs = [ip];
  else if (!ip && ips.length > 0 && typeof ips[0] === 'string') spec.clusterIP = ips[0];
}

/** This cluster is single-stack IPv4, as upstream's defaults on such a cluster. */
function defaultIPFamilies(spec: Obj): void {
  const headlessNoSelector = spec.clusterIP === 'None' && Object.keys(rec(spec.selector) ?? {}).length === 0;
  if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = headlessNoSelector ? 'RequireDualStack' : 'SingleStack';
  if (list(spec.ipFamilies).length === 0) {
    const first = list(spec.clusterIPs)[0];
    spec.ipFamilies = typeof first === 'string' && first.includes(':') ? ['IPv6'] : ['IPv4'];
  }
}

function prepareServiceCreate(obj: KubeObject): void {
  obj.status = { loadBalancer: {} };
}

function portKey(p: Obj): string {
  return `${str(p.protocol) || 'TCP'}/${String(p.port)}`;
}

/**
 * Carry allocated values (cluster IPs, node ports) over when the user left them out, and drop the ones
 * the new type no longer uses when the user did not change them (so `kubectl apply` can switch types).
 */
function prepareServiceUpdate(obj: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = clone(old.status);
  const spec = child(obj, 'spec');
  const oldSpec = specOf(old);
  const type = str(spec.type) || 'ClusterIP';
  const oldType = str(oldSpec.type) || 'ClusterIP';

  if (type !== 'ExternalName' && oldType !== 'ExternalName') {
    if (!spec.clusterIP && list(spec.clusterIPs).length === 0 && oldSpec.clusterIP) {
      spec.clusterIP = oldSpec.clusterIP;
      if (oldSpec.clusterIPs !== undefined) spec.clusterIPs = clone(oldSpec.clusterIPs);
    }
  }
  if (type === 'ExternalName' && oldType !== 'ExternalName') {
    if (sameJSON(spec.clusterIP, oldSpec.clusterIP)) delete spec.clusterIP;
    if (sameJSON(spec.clusterIPs, oldSpec.clusterIPs)) delete spec.clusterIPs;
    if (sameJSON(spec.ipFamilies, oldSpec.ipFamilies)) delete spec.ipFamilies;
    if (sameJSON(spec.ipFamilyPolicy, oldSpec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
    if (sameJSON(spec.internalTrafficPolicy, oldSpec.internalTrafficPolicy))
      delete spec.internalTrafficPolicy;
  }

  const oldNodePorts = new Map<string, unknown>();
  for (const p of list(oldSpec.ports)) {
    const port = rec(p);
    if (port?.nodePort) oldNodePorts.set(portKey(port), port.nodePort);
  }
  const keepNodePorts = usesNodePorts(type);
  for (const p of list(spec.ports)) {
    const port = rec(p);
    if (!port) continue;
    const oldNodePort = oldNodePorts.get(portKey(port));
    if (keepNodePorts && usesNodePorts(oldType) && !port.nodePort && oldNodePort) port.nodePort = oldNodePort;
    if (!keepNodePorts && port.nodePort && port.nodePort === oldNodePort) delete port.nodePort;
  }
  if (!keepNodePorts && usesNodePorts(oldType) && !externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  }
  if (
    type === 'LoadBalancer' &&
    oldType === 'LoadBalancer' &&
    !spec.healthCheckNodePort &&
    oldSpec.healthCheckNodePort
  ) {
    if (spec.externalTrafficPolicy === 'Local') spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
  if (type !== 'LoadBalancer' && oldType === 'LoadBalancer') {
    if (sameJSON(spec.allocateLoadBalancerNodePorts, oldSpec.allocateLoadBalancerNodePorts)) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (sameJSON(spec.healthCheckNodePort, oldSpec.healthCheckNodePort)) delete spec.healthCheckNodePort;
    if (sameJSON(spec.loadBalancerClass, oldSpec.loadBalancerClass)) delete spec.loadBalancerClass;
  }
}

/** A port number or an IANA service name (ValidatePortNumOrName). */
export function validatePortNumOrName(value: unknown, path: string): FieldError[] {
  if (typeof value === 'number') return isValidPortNum(value).map((m) => fieldErr.invalid(path, value, m));
  if (typeof value === 'string') {
    if (/^\d+$/.test(value))
      return isValidPortNum(Number(value)).map((m) => fieldErr.invalid(path, value, m));
    return isValidPortName(value).map((m) => fieldErr.invalid(path, value, m));
  }
  return [fieldErr.typeInvalid(path, value ?? null, 'must be an integer or a string')];
}

function validateServicePort(
  item: unknown,
  requireName: boolean,
  names: Set<string>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const port = rec(item) ?? {};
  const name = str(port.name);
  if (requireName && name === '') errs.push(fieldErr.required(`${path}.name`));
  else if (name !== '') {
    errs.push(...validateDNSLabel(name, `${path}.name`));
    if (names.has(name)) errs.push(fieldErr.duplicate(`${path}.name`, name));
    names.add(name);
  }
  for (const msg of isValidPortNum(Number(port.port ?? 0))) {
    errs.push(fieldErr.invalid(`${path}.port`, port.port ?? 0, msg));
  }
  const protocol = str(port.protocol);
  if (protocol === '') errs.push(fieldErr.required(`${path}.protocol`));
  else if (!PORT_PROTOCOLS.includes(protocol)) {
    errs.push(fieldErr.notSupported(`${path}.protocol`, protocol, PORT_PROTOCOLS));
  }
  errs.push(...validatePortNumOrName(port.targetPort, `${path}.targetPort`));
  return errs;
}

/** Go's %#v of the (protocol, port) or (protocol, nodePort) key used in duplicate-port messages. */
function portKeyText(protocol: string, port: number, nodePort: number): string {
  return (
    `core.ServicePort{Name:"", Protocol:"${protocol}", AppProtocol:(*string)(nil), Port:${port}, ` +
    `TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:${nodePort}}`
  );
}

function validateClusterIPs(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ips = list(spec.clusterIPs).map(str);
  if (ips.length === 0) return errs;
  const clusterIP = str(spec.clusterIP);
  if (clusterIP !== '' && clusterIP !== ips[0]) {
    errs.push(invalidRaw('spec.clusterIPs', goStrings(ips), 'first value must match `clusterIP`'));
  }
  if (ips.length > 2)
    errs.push(invalidRaw('spec.clusterIPs', goStrings(ips), 'may only hold up to 2 values'));
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        errs.push(invalidRaw('spec.clusterIPs', goStrings(ips), "'None' must be the first and only value"));
      }
      return;
    }
    errs.push(...validateIP(ip, `spec.clusterIPs[${i}]`));
  });
  return errs;
}

function validateIPFamilyFields(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined && policy !== null && !FAMILY_POLICIES.includes(str(policy))) {
    errs.push(fieldErr.notSupported('spec.ipFamilyPolicy', policy, FAMILY_POLICIES));
  }
  const families = list(spec.ipFamilies).map(str);
  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) errs.push(fieldErr.notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
    else if (seen.has(f)) errs.push(fieldErr.duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (families.length > 2)
    errs.push(invalidRaw('spec.ipFamilies', goStrings(families), 'may only hold up to 2 values'));
  return errs;
}

function validateService(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(obj);
  const type = str(spec.type);
  const ports = list(spec.ports);
  const clusterIPs = list(spec.clusterIPs).map(str);
  const headless = spec.clusterIP === 'None' || clusterIPs[0] === 'None';

  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(fieldErr.required('spec.ports'));
  switch (type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (headless) {
        errs.push(
          fieldErr.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`),
        );
      }
      break;
    case 'ExternalName': {
      if (clusterIPs.length > 0 || str(spec.clusterIP) !== '') {
        errs.push(fieldErr.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      }
      if (list(spec.ipFamilies).length > 0) {
        errs.push(fieldErr.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      }
      if (spec.ipFamilyPolicy) {
        errs.push(fieldErr.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      }
      // A trailing dot marks the name as fully qualified.
      const cname = str(spec.externalName).replace(/\.$/, '');
      if (cname === '') errs.push(fieldErr.required('spec.externalName'));
      else errs.push(...validateDNSSubdomain(cname, 'spec.externalName'));
      break;
    }
  }

  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  if (spec.selector !== undefined && spec.selector !== null) {
    errs.push(...validateLabels(spec.selector, 'spec.selector'));
  }

  const affinity = str(spec.sessionAffinity);
  if (affinity === '') errs.push(fieldErr.required('spec.sessionAffinity'));
  else if (!AFFINITIES.includes(affinity))
    errs.push(fieldErr.notSupported('spec.sessionAffinity', affinity, AFFINITIES));
  if (affinity === 'ClientIP') {
    const config = rec(spec.sessionAffinityConfig);
    const clientIP = rec(config?.clientIP);
    if (!config)
      errs.push(fieldErr.required('spec.sessionAffinityConfig', 'when session affinity type is ClientIP'));
    else if (!clientIP) {
      errs.push(
        fieldErr.required('spec.sessionAffinityConfig.clientIP', 'when session affinity type is ClientIP'),
      );
    } else {
      const t = clientIP.timeoutSeconds;
      if (typeof t !== 'number' || t <= 0 || t > MAX_AFFINITY_TIMEOUT) {
        errs.push(
          fieldErr.invalid(
            'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
            t ?? null,
            `must be greater than 0 and less than ${MAX_AFFINITY_TIMEOUT}`,
          ),
        );
      }
    }
  } else if (affinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(
      fieldErr.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'),
    );
  }

  if (type !== 'ExternalName') {
    errs.push(...validateClusterIPs(spec));
    errs.push(...validateIPFamilyFields(spec));
  }
  list(spec.externalIPs).forEach((ip, i) => {
    const path = `spec.externalIPs[${i}]`;
    const ipErrs = validateIP(ip, path);
    errs.push(...(ipErrs.length ? ipErrs : validateNonSpecialIP(str(ip), path)));
  });

  if (type === '') errs.push(fieldErr.required('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) errs.push(fieldErr.notSupported('spec.type', type, SERVICE_TYPES));

  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (rec(p)?.nodePort) {
        errs.push(
          fieldErr.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"),
        );
      }
    });
  }
  const seenNodePorts = new Set<string>();
  const seenPorts = new Set<string>();
  ports.forEach((p, i) => {
    const port = rec(p) ?? {};
    const protocol = str(port.protocol);
    const nodePort = Number(port.nodePort ?? 0);
    if (nodePort !== 0) {
      const key = `${protocol}/${nodePort}`;
      if (seenNodePorts.has(key)) errs.push(fieldErr.duplicate(`spec.ports[${i}].nodePort`, nodePort));
      seenNodePorts.add(key);
    }
    const key = `${protocol}/${String(port.port)}`;
    if (seenPorts.has(key)) {
      errs.push({
        type: 'FieldValueDuplicate',
        field: `spec.ports[${i}]`,
        message: `Duplicate value: ${portKeyText(protocol, Number(port.port ?? 0), 0)}`,
      });
    }
    seenPorts.add(key);
  });

  const ranges = list(spec.loadBalancerSourceRanges);
  if (ranges.length > 0 && type !== 'LoadBalancer') {
    errs.push(
      fieldErr.forbidden('spec.loadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"),
    );
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null) {
    if (type !== 'LoadBalancer') {
      errs.push(
        fieldErr.forbidden(
          'spec.allocateLoadBalancerNodePorts',
          "may only be used when `type` is 'LoadBalancer'",
        ),
      );
    }
  } else if (type === 'LoadBalancer') {
    errs.push(fieldErr.required('spec.allocateLoadBalancerNodePorts'));
  }

  const etp = str(spec.externalTrafficPolicy);
  if (!externallyAccessible(spec)) {
    if (etp !== '') {
      errs.push(
        fieldErr.invalid(
          'spec.externalTrafficPolicy',
          etp,
          'may only be set for externally-accessible services',
        ),
      );
    }
  } else if (etp === '') errs.push(fieldErr.required('spec.externalTrafficPolicy'));
  else if (!TRAFFIC_POLICIES.includes(etp)) {
    errs.push(fieldErr.notSupported('spec.externalTrafficPolicy', etp, TRAFFIC_POLICIES));
  }
  const itp = spec.internalTrafficPolicy;
  if (type !== 'ExternalName') {
    if (!itp) errs.push(fieldErr.required('spec.internalTrafficPolicy'));
    else if (!TRAFFIC_POLICIES.includes(str(itp))) {
      errs.push(fieldErr.notSupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES));
    }
  }
  const hc = spec.healthCheckNodePort;
  if (hc !== undefined && hc !== null && hc !== 0) {
    if (type !== 'LoadBalancer' || etp !== 'Local') {
      errs.push(
        fieldErr.invalid(
          'spec.healthCheckNodePort',
          hc,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
    }
  }
  return errs;
}

function validateServiceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const oldSpec = specOf(old);
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = list(spec.clusterIPs).map(str);
  const oldIPs = list(oldSpec.clusterIPs).map(str);
  if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(invalidRaw('spec.clusterIPs[0]', goStrings(ips), 'may not change once set'));
  }
  if (oldIPs.length > 1 && ips.length > 1 && ips[1] !== oldIPs[1]) {
    errs.push(invalidRaw('spec.clusterIPs[1]', goStrings(ips), 'may not change once set'));
  }
  const families = list(spec.ipFamilies).map(str);
  const oldFamilies = list(oldSpec.ipFamilies).map(str);
  if (oldFamilies.length > 0 && families.length > 0 && families[0] !== oldFamilies[0]) {
    errs.push(fieldErr.invalid('spec.ipFamilies[0]', families[0], 'may not change once set'));
  }
  return errs;
}

export const serviceStrategy: Strategy = {
  defaults: defaultService,
  prepareForCreate: prepareServiceCreate,
  prepareForUpdate: prepareServiceUpdate,
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  fieldSet: (obj) => ({ 'spec.clusterIP': str(specOf(obj).clusterIP), 'spec.type': str(specOf(obj).type) }),
};
