// discovery.k8s.io/v1 EndpointSlice: pkg/apis/discovery/v1/defaults.go and
// pkg/apis/discovery/validation.

import type { EndpointSlice, Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { Path, duplicate, invalid, notSupported, required, tooMany, type ErrorList } from '../../../machinery/field.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  parseIPSloppy,
  validateFullyQualifiedDomainName,
  validateIP,
  validateIPv4Address,
  validateIPv6Address,
} from '../../../machinery/validation.js';
import type { GroupVersionKinds, KindHandlers } from '../../scheme.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const DEPRECATED_ADDRESS_TYPES = ['IP'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_ENDPOINTS = 1000;
const MAX_ZONE_HINTS = 8;

/** Upstream ValidateNonSpecialIP: endpoints may not point at unspecified, loopback or link-local addresses. */
function validateNonSpecialIP(ip: string, path: Path): ErrorList {
  const raw = parseIPSloppy(ip);
  if (!raw) return [invalid(path, ip, 'must be a valid IP address')];
  // Go treats IPv4-mapped IPv6 addresses as IPv4.
  const mapped = raw.length === 16 && raw.slice(0, 10).every((b) => b === 0) && raw[10] === 0xff && raw[11] === 0xff;
  const b = raw.length === 4 ? raw : mapped ? raw.slice(12) : raw;
  const errs: ErrorList = [];
  let unspecified: boolean, loopback: boolean, linkLocal: boolean, llMulticast: boolean;
  if (b.length === 4) {
    unspecified = b.every((x) => x === 0);
    loopback = b[0] === 127;
    linkLocal = b[0] === 169 && b[1] === 254;
    llMulticast = b[0] === 224 && b[1] === 0 && b[2] === 0;
  } else {
    unspecified = b.every((x) => x === 0);
    loopback = b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
    linkLocal = b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
    llMulticast = b[0] === 0xff && (b[1]! & 0x0f) === 0x02;
  }
  if (unspecified) errs.push(invalid(path, ip, `may not be unspecified (${ip})`));
  if (loopback) errs.push(invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (linkLocal) errs.push(invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (llMulticast) errs.push(invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

function validateEndpoint(ep: Endpoint, addressType: string, path: Path): ErrorList {
  const errs: ErrorList = [];
  const ap = path.child('addresses');
  const addrs = ep.addresses ?? [];
  if (!addrs.length) errs.push(required(ap, 'must contain at least 1 address'));
  else if (addrs.length > MAX_ADDRESSES) errs.push(tooMany(ap, addrs.length, MAX_ADDRESSES));
  addrs.forEach((a, i) => {
    const p = ap.at(i);
    switch (addressType) {
      case 'IP':
        errs.push(...validateIP(a, p));
        break;
      case 'IPv4':
        errs.push(...validateIPv4Address(a, p), ...validateNonSpecialIP(a, p));
        break;
      case 'IPv6':
        errs.push(...validateIPv6Address(a, p), ...validateNonSpecialIP(a, p));
        break;
      case 'FQDN':
        errs.push(...validateFullyQualifiedDomainName(a, p));
        break;
    }
  });
  if (ep.nodeName != null) for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(invalid(path.child('nodeName'), ep.nodeName, m));
  if (ep.hostname != null) for (const m of isDNS1123Label(ep.hostname)) errs.push(invalid(path.child('hostname'), ep.hostname, m));
  const zones = ep.hints?.forZones;
  if (zones) {
    const zp = path.child('hints', 'forZones');
    if (zones.length > MAX_ZONE_HINTS) errs.push(tooMany(zp, zones.length, MAX_ZONE_HINTS));
    else {
      const seen = new Set<string>();
      zones.forEach((z, i) => {
        if (seen.has(z.name)) errs.push(duplicate(zp.at(i), z));
        seen.add(z.name);
      });
    }
  }
  return errs;
}

function validatePorts(ports: EndpointPort[], path: Path): ErrorList {
  if (ports.length > MAX_PORTS) return [tooMany(path, ports.length, MAX_PORTS)];
  const errs: ErrorList = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = path.at(i);
    const name = port.name ?? '';
    if (name) for (const m of isDNS1123Label(name)) errs.push(invalid(p.child('name'), name, m));
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    else names.add(name);
    if (port.protocol == null) errs.push(required(p.child('protocol')));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(p.child('protocol'), port.protocol, PROTOCOLS));
    if (port.appProtocol != null) for (const m of isQualifiedName(port.appProtocol)) errs.push(invalid(p.child('appProtocol'), port.appProtocol, m));
  });
  return errs;
}

function validateSlice(s: EndpointSlice, validTypes: string[]): ErrorList {
  const errs: ErrorList = [];
  const at = s.addressType ?? '';
  if (!at) errs.push(required('addressType'));
  else if (!validTypes.includes(at)) errs.push(notSupported('addressType', at, validTypes));
  const eps = s.endpoints ?? [];
  if (eps.length > MAX_ENDPOINTS) errs.push(tooMany('endpoints', eps.length, MAX_ENDPOINTS));
  else eps.forEach((ep, i) => errs.push(...validateEndpoint(ep, at, Path.root('endpoints').at(i))));
  errs.push(...validatePorts(s.ports ?? [], Path.root('ports')));
  return errs;
}

export const endpointSliceHandlers: KindHandlers<EndpointSlice> = {
  defaults(s) {
    for (const p of s.ports ?? []) {
      p.name ??= '';
      p.protocol ??= 'TCP';
    }
  },
  validate: (s) => validateSlice(s, ADDRESS_TYPES),
  validateUpdate(s, old) {
    const errs = validateSlice(s, [...ADDRESS_TYPES, ...DEPRECATED_ADDRESS_TYPES].sort());
    if (s.addressType !== old.addressType) errs.push(invalid('addressType', s.addressType ?? '', 'field is immutable'));
    return errs;
  },
};

export const kinds: GroupVersionKinds = { EndpointSlice: endpointSliceHandlers };
