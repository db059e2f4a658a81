import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from './v1/index.js';
import { ingressV1beta1Handlers } from './extensions-v1beta1-ingress.js';

const text = (errs: { toString(): string }[]) => errs.map(String);

// The seed 000 Ingress (extensions/v1beta1).
const seedIngress = {
  apiVersion: 'extensions/v1beta1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    rules: [
      {
        host: 'foo.bar.com',
        http: {
          paths: [
            { path: '/foo', backend: { serviceName: 'svc-foo', servicePort: 80 } },
            { path: '/bar', backend: { serviceName: 'svc-bar', servicePort: 'http' } },
          ],
        },
      },
    ],
  },
};

test('seed extensions/v1beta1 Ingress converts to a valid networking.k8s.io/v1 Ingress and back', () => {
  const obj: any = structuredClone(seedIngress);
  ingressV1beta1Handlers.defaults!(obj);
  assert.equal(obj.spec.rules[0].http.paths[0].pathType, 'ImplementationSpecific');
  const hub: any = ingressV1beta1Handlers.conversion!.toHub(obj);
  assert.equal(hub.apiVersion, 'networking.k8s.io/v1');
  assert.deepEqual(hub.spec.rules[0].http.paths[0], {
    path: '/foo',
    pathType: 'ImplementationSpecific',
    backend: { service: { name: 'svc-foo', port: { number: 80 } } },
  });
  assert.deepEqual(hub.spec.rules[0].http.paths[1].backend, { service: { name: 'svc-bar', port: { name: 'http' } } });
  assert.deepEqual(text(kinds.Ingress!.validate!(hub)), []);
  const back = ingressV1beta1Handlers.conversion!.fromHub(hub);
  assert.deepEqual(back, obj);
});

test('v1beta1 spec.backend maps to defaultBackend; conversion without defaults still sets pathType', () => {
  const hub: any = ingressV1beta1Handlers.conversion!.toHub({
    apiVersion: 'extensions/v1beta1',
    kind: 'Ingress',
    spec: { backend: { serviceName: 'def', servicePort: 8080 }, rules: [{ http: { paths: [{ backend: { serviceName: 'a', servicePort: 1 } }] } }] },
  });
  assert.deepEqual(hub.spec.defaultBackend, { service: { name: 'def', port: { number: 8080 } } });
  assert.equal(hub.spec.rules[0].http.paths[0].pathType, 'ImplementationSpecific');
  const back: any = ingressV1beta1Handlers.conversion!.fromHub(hub);
  assert.deepEqual(back.spec.backend, { serviceName: 'def', servicePort: 8080 });
});

test('Ingress validation messages', () => {
  const ing = (spec: any): any => ({ metadata: { name: 'x' }, spec });
  assert.deepEqual(text(kinds.Ingress!.validate!(ing({}))), [
    'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
  ]);
  const svc = { service: { name: 'web', port: { number: 80 } } };
  assert.deepEqual(
    text(kinds.Ingress!.validate!(ing({ rules: [{ host: '1.2.3.4', http: { paths: [{ path: 'foo', pathType: 'Prefix', backend: svc }] } }] }))),
    ['spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address', 'spec.rules[0].http.paths[0].path: Invalid value: "foo": must be an absolute path'],
  );
  assert.deepEqual(text(kinds.Ingress!.validate!(ing({ rules: [{ http: { paths: [{ path: '/', backend: svc }] } }] }))), [
    'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
  ]);
  assert.deepEqual(text(kinds.Ingress!.validate!(ing({ rules: [{ http: { paths: [{ path: '/', pathType: 'Regex', backend: svc }] } }] }))), [
    'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
  ]);
  assert.deepEqual(text(kinds.Ingress!.validate!(ing({ defaultBackend: { service: { name: 'web', port: { number: 80, name: 'http' } } } }))), [
    'spec.defaultBackend: Invalid value: "": cannot set both port name & port number',
  ]);
  assert.deepEqual(text(kinds.Ingress!.validate!(ing({ defaultBackend: { service: { name: 'web', port: {} } } }))), [
    'spec.defaultBackend: Required value: port name or number is required',
  ]);
  assert.deepEqual(text(kinds.Ingress!.validate!(ing({ defaultBackend: svc, tls: [{ hosts: ['*.example.com', 'a_b'] }] }))), [
    'spec.tls[0].hosts[1]: Invalid value: "a_b": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
  ]);
});

test('NetworkPolicy defaults and validation', () => {
  const np: any = { spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } };
  kinds.NetworkPolicy!.defaults!(np);
  assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
  assert.equal(np.spec.egress[0].ports[0].protocol, 'TCP');
  const np2: any = { spec: { podSelector: {} } };
  kinds.NetworkPolicy!.defaults!(np2);
  assert.deepEqual(np2.spec.policyTypes, ['Ingress']);
  assert.deepEqual(text(kinds.NetworkPolicy!.validate!(np)), []);
  const bad: any = {
    spec: {
      podSelector: {},
      ingress: [{ from: [{}, { ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16', '10.1.0.0/16'] } }], ports: [{ port: 'http', endPort: 90 }] }],
      policyTypes: ['Ingress', 'Sideways'],
    },
  };
  assert.deepEqual(text(kinds.NetworkPolicy!.validate!(bad)), [
    'spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
    'spec.ingress[0].from[0]: Required value: must specify a peer',
    'spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`',
    'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
  ]);
});

test('IngressClass controller and parameters', () => {
  const ic: any = { spec: { controller: 'example.com/ingress', parameters: { kind: 'Cfg', name: 'c' } } };
  kinds.IngressClass!.defaults!(ic);
  assert.equal(ic.spec.parameters.scope, 'Cluster');
  assert.deepEqual(text(kinds.IngressClass!.validate!(ic)), []);
  assert.deepEqual(text(kinds.IngressClass!.validate!({ spec: { controller: 'nginx' } } as any)), [
    'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
  ]);
  assert.deepEqual(text(kinds.IngressClass!.validateUpdate!({ spec: { controller: 'a.io/x' } } as any, { spec: { controller: 'a.io/y' } } as any)), [
    'spec.controller: Invalid value: "a.io/x": field is immutable',
  ]);
});
