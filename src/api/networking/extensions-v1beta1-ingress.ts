// extensions/v1beta1 Ingress (removed upstream in 1.22; the seeds still use it). Stored and
// validated as networking.k8s.io/v1; this file holds the v1beta1 defaults and the conversion.
// v1beta1 backends are `serviceName` + `servicePort` (int or string) and `spec.backend`;
// v1 has `service: {name, port: {number | name}}` and `spec.defaultBackend`.

import type { Ingress, IngressBackend, IngressRule, IngressSpec, IngressTLS, IngressStatus } from 'kubernetes-types/networking/v1.js';
import type { TypedLocalObjectReference } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { ApiObject, KindHandlers } from '../scheme.js';

/** The extensions/v1beta1 wire shape. */
export interface IngressBackendV1beta1 {
  serviceName?: string;
  servicePort?: number | string;
  resource?: TypedLocalObjectReference;
}
export interface HTTPIngressPathV1beta1 {
  path?: string;
  pathType?: string;
  backend: IngressBackendV1beta1;
}
export interface IngressRuleV1beta1 {
  host?: string;
  http?: { paths: HTTPIngressPathV1beta1[] };
}
export interface IngressV1beta1 {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: {
    ingressClassName?: string;
    backend?: IngressBackendV1beta1;
    tls?: IngressTLS[];
    rules?: IngressRuleV1beta1[];
  };
  status?: IngressStatus;
}

function backendToV1(b: IngressBackendV1beta1): IngressBackend {
  const out: IngressBackend = {};
  if (b.resource) out.resource = structuredClone(b.resource);
  if (b.serviceName !== undefined || b.servicePort !== undefined) {
    const port = b.servicePort;
    out.service = {
      name: b.serviceName ?? '',
      port: typeof port === 'number' ? { number: port } : port !== undefined && port !== '' ? { name: port } : {},
    };
  }
  return out;
}

function backendFromV1(b: IngressBackend): IngressBackendV1beta1 {
  const out: IngressBackendV1beta1 = {};
  if (b.service) {
    out.serviceName = b.service.name;
    const port = b.service.port;
    if (port?.name) out.servicePort = port.name;
    else out.servicePort = port?.number ?? 0;
  }
  if (b.resource) out.resource = structuredClone(b.resource);
  return out;
}

function toV1(obj: ApiObject): ApiObject {
  const src = obj as IngressV1beta1;
  const out: Ingress & ApiObject = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' };
  if (src.metadata) out.metadata = structuredClone(src.metadata);
  if (src.spec) {
    const s = src.spec;
    const spec: IngressSpec = {};
    if (s.ingressClassName !== undefined) spec.ingressClassName = s.ingressClassName;
    if (s.backend) spec.defaultBackend = backendToV1(s.backend);
    if (s.tls) spec.tls = structuredClone(s.tls);
    if (s.rules) {
      spec.rules = s.rules.map((r) => {
        const rule: IngressRule = {};
        if (r.host !== undefined) rule.host = r.host;
        if (r.http) {
          rule.http = {
            paths: (r.http.paths ?? []).map((p) => ({
              ...(p.path !== undefined ? { path: p.path } : {}),
              // v1beta1 defaulted a missing pathType; v1 requires one.
              pathType: p.pathType ?? 'ImplementationSpecific',
              backend: backendToV1(p.backend ?? {}),
            })),
          };
        }
        return rule;
      });
    }
    out.spec = spec;
  }
  if (src.status) out.status = structuredClone(src.status);
  return out;
}

function fromV1(obj: ApiObject): IngressV1beta1 {
  const src = obj as Ingress;
  const out: IngressV1beta1 = { apiVersion: 'extensions/v1beta1', kind: 'Ingress' };
  if (src.metadata) out.metadata = structuredClone(src.metadata);
  if (src.spec) {
    const s = src.spec;
    const spec: NonNullable<IngressV1beta1['spec']> = {};
    if (s.ingressClassName !== undefined) spec.ingressClassName = s.ingressClassName;
    if (s.defaultBackend) spec.backend = backendFromV1(s.defaultBackend);
    if (s.tls) spec.tls = structuredClone(s.tls);
    if (s.rules) {
      spec.rules = s.rules.map((r) => {
        const rule: IngressRuleV1beta1 = {};
        if (r.host !== undefined) rule.host = r.host;
        if (r.http) {
          rule.http = {
            paths: (r.http.paths ?? []).map((p) => ({
              ...(p.path !== undefined ? { path: p.path } : {}),
              ...(p.pathType !== undefined ? { pathType: p.pathType } : {}),
              backend: backendFromV1(p.backend ?? {}),
            })),
          };
        }
        return rule;
      });
    }
    out.spec = spec;
  }
  if (src.status) out.status = structuredClone(src.status);
  return out;
}

/** extensions/v1beta1 Ingress; imported by src/api/extensions/v1beta1/index.ts. */
export const ingressV1beta1Handlers: KindHandlers<IngressV1beta1> = {
  defaults(ing) {
    // extensions/v1beta1 SetDefaults_HTTPIngressPath.
    for (const r of ing.spec?.rules ?? []) for (const p of r.http?.paths ?? []) p.pathType ??= 'ImplementationSpecific';
  },
  conversion: {
    hub: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
    toHub: toV1,
    fromHub: fromV1,
  },
};
