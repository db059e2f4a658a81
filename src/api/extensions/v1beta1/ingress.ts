// extensions/v1beta1 Ingress ↔ networking.k8s.io/v1 Ingress. The beta backend names its
// Service as `serviceName` + `servicePort` (a number or a port name); v1 nests them as
// `service: {name, port: {number | name}}`, and renames spec.backend to spec.defaultBackend.

import type { IngressBackend as V1Backend } from 'kubernetes-types/networking/v1.js';
import type { ApiObject, KindHandlers } from '../../scheme.js';
import { retype } from '../../apps/legacy.js';

interface BetaBackend {
  serviceName?: string;
  servicePort?: number | string;
  resource?: V1Backend['resource'];
}

type Rule = { http?: { paths?: { backend?: unknown; pathType?: string }[] } };

function backendToV1(b: BetaBackend): V1Backend {
  const out: V1Backend = {};
  if (b.resource) out.resource = b.resource;
  if (b.serviceName !== undefined || b.servicePort !== undefined) {
    const port = typeof b.servicePort === 'string' ? { name: b.servicePort } : b.servicePort !== undefined ? { number: b.servicePort } : undefined;
    out.service = { name: b.serviceName ?? '', ...(port ? { port } : {}) };
  }
  return out;
}

function backendFromV1(b: V1Backend): BetaBackend {
  const out: BetaBackend = {};
  if (b.service) {
    out.serviceName = b.service.name;
    const port = b.service.port;
    if (port?.name) out.servicePort = port.name;
    else if (port?.number !== undefined) out.servicePort = port.number;
    else out.servicePort = 0;
  }
  if (b.resource) out.resource = b.resource;
  return out;
}

function mapBackends(spec: Record<string, unknown> | undefined, f: (b: never) => unknown): void {
  for (const rule of (spec?.rules ?? []) as Rule[]) {
    for (const p of rule.http?.paths ?? []) if (p.backend) p.backend = f(p.backend as never);
  }
}

/** SetDefaults_HTTPIngressPath: pathType ImplementationSpecific. */
export function setDefaultsIngress_extensionsV1beta1(obj: ApiObject): void {
  for (const rule of (obj.spec?.rules ?? []) as Rule[]) {
    for (const p of rule.http?.paths ?? []) p.pathType ??= 'ImplementationSpecific';
  }
}

export function ingressToHub(obj: ApiObject): ApiObject {
  const out = retype(obj, 'networking.k8s.io/v1', 'Ingress');
  const spec = out.spec as Record<string, unknown> | undefined;
  if (spec) {
    if (spec.backend) {
      spec.defaultBackend = backendToV1(spec.backend as BetaBackend);
      delete spec.backend;
    }
    mapBackends(spec, backendToV1);
  }
  return out;
}

export function ingressFromHub(obj: ApiObject): ApiObject {
  const out = retype(obj, 'extensions/v1beta1', 'Ingress');
  const spec = out.spec as Record<string, unknown> | undefined;
  if (spec) {
    if (spec.defaultBackend) {
      spec.backend = backendFromV1(spec.defaultBackend as V1Backend);
      delete spec.defaultBackend;
    }
    mapBackends(spec, backendFromV1);
  }
  return out;
}

export const ingressKind: KindHandlers = {
  defaults: setDefaultsIngress_extensionsV1beta1,
  conversion: {
    hub: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
    toHub: ingressToHub,
    fromHub: ingressFromHub,
  },
};
