/** EndpointSlice (discovery.k8s.io/v1): addressType (immutable), endpoints and their addresses, ports. */
import { isIP } from 'node:net';
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateLabels } from '../../../api/labels.js';
import { isDNS1123Subdomain } from '../../../api/validation/names.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { PORT_PROTOCOLS, validateNonSpecialIP } from './core-endpoints.js';
import {
  list,
  rec,
  str,
  tooMany,
  validateDNSLabel,
  validateDNSSubdomain,
  validateQualifiedName,
} from './core-common.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;

function defaultSlice(obj: KubeObject): void {
  for (const item of list(obj.ports)) {
    const port = rec(item);
    if (!port) continue;
    if (port.name === undefined || port.name === null) port.name = '';
    if (port.protocol === undefined || port.protocol === null) port.protocol = 'TCP';
  }
}

function validateAddress(type: string, address: string, path: string): FieldError[] {
  switch (type) {
    case 'IPv4':
    case 'IPv6': {
      const family = type === 'IPv4' ? 4 : 6;
      // Both checks run, as upstream, so a malformed address is reported twice.
      const errs =
        isIP(address) === family ? [] : [fieldErr.invalid(path, address, `must be a valid ${type} address`)];
      return [...errs, ...validateNonSpecialIP(address, path)];
    }
    case 'FQDN': {
      const name = address.replace(/\.$/, '');
      const errs = isDNS1123Subdomain(name).map((m) => fieldErr.invalid(path, address, m));
      if (errs.length === 0 && !name.includes('.')) {
        errs.push(
          fieldErr.invalid(path, address, 'should be a domain with at least two segments separated by dots'),
        );
      }
      return errs;
    }
    default:
      return [];
  }
}

function validateSlice(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(obj.addressType);
  if (type === '') errs.push(fieldErr.required('addressType'));
  else if (!ADDRESS_TYPES.includes(type))
    errs.push(fieldErr.notSupported('addressType', type, ADDRESS_TYPES));

  const endpoints = list(obj.endpoints);
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  else
    endpoints.forEach((item, i) => {
      const ep = rec(item) ?? {};
      const path = `endpoints[${i}]`;
      const addresses = list(ep.addresses);
      if (addresses.length === 0)
        errs.push(fieldErr.required(`${path}.addresses`, 'must contain at least 1 address'));
      else if (addresses.length > MAX_ADDRESSES)
        errs.push(tooMany(`${path}.addresses`, addresses.length, MAX_ADDRESSES));
      addresses.forEach((a, j) => errs.push(...validateAddress(type, str(a), `${path}.addresses[${j}]`)));
      if (typeof ep.nodeName === 'string')
        errs.push(...validateDNSSubdomain(ep.nodeName, `${path}.nodeName`));
      if (typeof ep.hostname === 'string') errs.push(...validateDNSLabel(ep.hostname, `${path}.hostname`));
      if (ep.deprecatedTopology !== undefined)
        errs.push(...validateLabels(ep.deprecatedTopology, `${path}.deprecatedTopology`));
    });

  const ports = list(obj.ports);
  if (ports.length > MAX_PORTS) errs.push(tooMany('ports', ports.length, MAX_PORTS));
  const names = new Set<string>();
  ports.forEach((item, i) => {
    const port = rec(item) ?? {};
    const path = `ports[${i}]`;
    if (typeof port.name !== 'string') errs.push(fieldErr.required(`${path}.name`));
    else {
      if (port.name !== '') errs.push(...validateDNSLabel(port.name, `${path}.name`));
      if (names.has(port.name)) errs.push(fieldErr.duplicate(`${path}.name`, port.name));
      names.add(port.name);
    }
    const protocol = port.protocol;
    if (protocol === undefined || protocol === null) errs.push(fieldErr.required(`${path}.protocol`));
    else if (!PORT_PROTOCOLS.includes(str(protocol))) {
      errs.push(fieldErr.notSupported(`${path}.protocol`, protocol, PORT_PROTOCOLS));
    }
    if (typeof port.appProtocol === 'string')
      errs.push(...validateQualifiedName(port.appProtocol, `${path}.appProtocol`));
  });
  return errs;
}

export const endpointSliceStrategy: Strategy = {
  defaults: defaultSlice,
  validate: validateSlice,
  validateUpdate: (obj, old) => validateImmutableField(obj.addressType, old.addressType, 'addressType'),
};
