import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from './index.js';

const text = (errs: { toString(): string }[]) => errs.map(String);
const h = kinds.EndpointSlice!;

test('EndpointSlice defaults and valid slice', () => {
  const s: any = { addressType: 'IPv4', endpoints: [{ addresses: ['10.42.0.5'] }], ports: [{ port: 80 }] };
  h.defaults!(s);
  assert.deepEqual(s.ports[0], { port: 80, name: '', protocol: 'TCP' });
  assert.deepEqual(text(h.validate!(s)), []);
});

test('EndpointSlice invalid addresses, ports and immutable addressType', () => {
  const s: any = {
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1', 'fe80::1'] }, { addresses: [] }],
    ports: [{ name: 'a', protocol: 'TCP' }, { name: 'a', protocol: 'ICMP' }],
  };
  assert.deepEqual(text(h.validate!(s)), [
    'endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'endpoints[0].addresses[1]: Invalid value: "fe80::1": must be a valid IPv4 address',
    'endpoints[0].addresses[1]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    'endpoints[1].addresses: Required value: must contain at least 1 address',
    'ports[1].name: Duplicate value: "a"',
    'ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
  ]);
  assert.deepEqual(text(h.validate!({ addressType: 'MAC' } as any)), ['addressType: Unsupported value: "MAC": supported values: "FQDN", "IPv4", "IPv6"']);
  assert.deepEqual(text(h.validateUpdate!({ addressType: 'IPv6' } as any, { addressType: 'IPv4' } as any)), ['addressType: Invalid value: "IPv6": field is immutable']);
});
