// Endpoints and Event validation.

import type { EndpointAddress, EndpointPort, Endpoints, Event } from 'kubernetes-types/core/v1.js';
import { type ErrorList, Path, invalid, notSupported, required } from '../../../../machinery/field.js';
import { isValidIP, isValidPortNum } from '../../../../machinery/validation.js';
import { nameIsDNSSubdomain, validateDNS1123Label, validateQualifiedName } from './common.js';
import { validateNonSpecialIP } from './service.js';

function validateEndpointAddress(a: EndpointAddress, path: Path): ErrorList {
  const errs: ErrorList = isValidIP(a.ip ?? '').map((m) => invalid(path.child('ip'), a.ip ?? '', m));
  if (a.hostname) errs.push(...validateDNS1123Label(a.hostname, path.child('hostname')));
  if (a.nodeName !== undefined && a.nodeName !== null) errs.push(...nameIsDNSSubdomain(a.nodeName).map((m) => invalid(path.child('nodeName'), a.nodeName, m)));
  if (isValidIP(a.ip ?? '').length) errs.push(invalid(path.child('ip'), a.ip ?? '', 'must be a valid IP address'));
  else errs.push(...validateNonSpecialIP(a.ip ?? '', path.child('ip')));
  return errs;
}

function validateEndpointPort(p: EndpointPort, requireName: boolean, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (requireName && !p.name) errs.push(required(path.child('name'), ''));
  else if (p.name) errs.push(...validateDNS1123Label(p.name, path.child('name')));
  errs.push(...isValidPortNum(p.port ?? 0).map((m) => invalid(path.child('port'), p.port ?? 0, m)));
  if (!p.protocol) errs.push(required(path.child('protocol'), ''));
  else if (!['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(notSupported(path.child('protocol'), p.protocol, ['SCTP', 'TCP', 'UDP']));
  if (p.appProtocol !== undefined && p.appProtocol !== null) errs.push(...validateQualifiedName(p.appProtocol, path.child('appProtocol')));
  return errs;
}

/** ValidateEndpoints (metadata excluded; create and update alike). */
export function validateEndpoints(ep: Endpoints): ErrorList {
  const errs: ErrorList = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const idx = Path.root('subsets').at(i);
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) errs.push(required(idx, 'must specify `addresses` or `notReadyAddresses`'));
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateEndpointAddress(a, idx.child('addresses').at(j))));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateEndpointAddress(a, idx.child('notReadyAddresses').at(j))));
    const ports = ss.ports ?? [];
    ports.forEach((p, j) => errs.push(...validateEndpointPort(p, ports.length > 1, idx.child('ports').at(j))));
  });
  return errs;
}

const LIMIT = 128;
const NOTE_LIMIT = 1024;

/** legacyValidateEvent for core/v1 Events (metadata excluded; create and update alike). */
export function validateEvent(ev: Event): ErrorList {
  const errs: ErrorList = [];
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  const nsPath = Path.root('involvedObject', 'namespace');
  if (!ev.eventTime) {
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default') errs.push(invalid(nsPath, involvedNs, 'does not match event.namespace'));
    } else if (ns !== involvedNs) errs.push(invalid(nsPath, involvedNs, 'does not match event.namespace'));
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(invalid(nsPath, involvedNs, 'does not match event.namespace'));
    const rc = ev.reportingComponent ?? '';
    if (!rc) errs.push(required('reportingComponent', ''));
    errs.push(...validateQualifiedName(rc, 'reportingComponent'));
    const ri = ev.reportingInstance ?? '';
    if (!ri) errs.push(required('reportingInstance', ''));
    if (ri.length > LIMIT) errs.push(invalid('reportingInstance', '', `can have at most ${LIMIT} characters`));
    if (!ev.action) errs.push(required('action', ''));
    if ((ev.action ?? '').length > LIMIT) errs.push(invalid('action', '', `can have at most ${LIMIT} characters`));
    if (!ev.reason) errs.push(required('reason', ''));
    if ((ev.reason ?? '').length > LIMIT) errs.push(invalid('reason', '', `can have at most ${LIMIT} characters`));
    if ((ev.message ?? '').length > NOTE_LIMIT) errs.push(invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
  }
  errs.push(...nameIsDNSSubdomain(ns).map((m) => invalid('namespace', ns, m)));
  return errs;
}
