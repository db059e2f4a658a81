import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from './index.js';

const text = (errs: { toString(): string }[]) => errs.map(String);

const hook = (extra: object = {}): any => ({
  name: 'check.example.com',
  clientConfig: { service: { name: 'wh', namespace: 'default', path: '/validate' } },
  rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  ...extra,
});

test('webhook defaults', () => {
  const c: any = { webhooks: [hook()] };
  kinds.MutatingWebhookConfiguration!.defaults!(c);
  const w = c.webhooks[0];
  assert.equal(w.failurePolicy, 'Fail');
  assert.equal(w.matchPolicy, 'Equivalent');
  assert.deepEqual(w.namespaceSelector, {});
  assert.deepEqual(w.objectSelector, {});
  assert.equal(w.timeoutSeconds, 10);
  assert.equal(w.reinvocationPolicy, 'Never');
  assert.equal(w.rules[0].scope, '*');
  assert.equal(w.clientConfig.service.port, 443);
  assert.deepEqual(text(kinds.MutatingWebhookConfiguration!.validate!(c)), []);
  const v: any = { webhooks: [hook()] };
  kinds.ValidatingWebhookConfiguration!.defaults!(v);
  assert.equal(v.webhooks[0].reinvocationPolicy, undefined);
  assert.deepEqual(text(kinds.ValidatingWebhookConfiguration!.validate!(v)), []);
});

test('webhook validation messages', () => {
  const c: any = {
    webhooks: [
      hook({ name: 'short', sideEffects: undefined, admissionReviewVersions: [], timeoutSeconds: 31, clientConfig: {} }),
      hook({ sideEffects: 'Some', clientConfig: { url: 'http://example.com/x?y=1' }, rules: [{ apiGroups: [], apiVersions: ['v1'], operations: ['CREATE', '*'], resources: ['pods'] }] }),
      hook(),
    ],
  };
  assert.deepEqual(text(kinds.ValidatingWebhookConfiguration!.validate!(c)), [
    'webhooks[0].name: Invalid value: "short": should be a domain with at least three segments separated by dots',
    'webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun',
    'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds',
    'webhooks[0].clientConfig: Required value: exactly one of url or service is required',
    'webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1',
    'webhooks[1].rules[0].operations: Invalid value: []string{"CREATE", "*"}: if \'*\' is present, must not specify other operations',
    'webhooks[1].rules[0].apiGroups: Required value',
    'webhooks[1].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
    'webhooks[1].clientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]',
    'webhooks[1].clientConfig.url: Invalid value: "y=1": query parameters are not permitted in the URL',
    'webhooks[2].name: Duplicate value: "check.example.com"',
  ]);
});

test('ValidatingAdmissionPolicy and binding structure', () => {
  const p: any = {
    metadata: { name: 'p' },
    spec: {
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] },
      validations: [{ expression: 'object.spec.replicas <= 5' }],
    },
  };
  kinds.ValidatingAdmissionPolicy!.defaults!(p);
  assert.equal(p.spec.failurePolicy, 'Fail');
  assert.equal(p.spec.matchConstraints.matchPolicy, 'Equivalent');
  assert.deepEqual(text(kinds.ValidatingAdmissionPolicy!.validate!(p)), []);
  assert.deepEqual(text(kinds.ValidatingAdmissionPolicy!.validate!({ metadata: { name: 'p' }, spec: { failurePolicy: 'Fail' } } as any)), [
    'spec.matchConstraints: Required value',
    'spec.validations: Required value: validations or auditAnnotations must contain at least one item',
    'spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item',
  ]);
  assert.deepEqual(text(kinds.ValidatingAdmissionPolicyBinding!.validate!({ spec: { policyName: 'p', validationActions: ['Deny', 'Warn'] } } as any)), [
    'spec.validationActions: Invalid value: []string{"Deny", "Warn"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
  ]);
});
