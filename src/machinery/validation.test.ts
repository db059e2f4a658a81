import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Path } from './field.js';
import {
  DNS1123LabelMaxLength,
  isCIdentifier,
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isDomainPrefixedPath,
  isEnvVarName,
  isFullyQualifiedName,
  isHTTPHeaderName,
  isInRange,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidIPv4Address,
  isValidIPv6Address,
  isValidLabelValue,
  isValidPathSegmentName,
  isValidPercent,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  parseIPSloppy,
  validateAnnotations,
  validateDomainPrefixedPath,
  validateLabels,
  validateNonnegativeField,
  validatePathSegmentName,
} from './validation.js';

const r = (c: string, n: number): string => c.repeat(n);

function table(fn: (v: string) => string[], good: string[], bad: string[]): void {
  for (const v of good) assert.deepEqual(fn(v), [], `expected ${JSON.stringify(v)} to be valid`);
  for (const v of bad) assert.notDeepEqual(fn(v), [], `expected ${JSON.stringify(v)} to be invalid`);
}

describe('isDNS1123Label', () => {
  it('accepts and rejects upstream examples', () => {
    table(
      isDNS1123Label,
      ['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', '0', '01', '012', '1a', '1-a', '1--a--b--2', r('a', 63)],
      ['', 'A', 'ABC', 'aBc', 'A1', 'A-1', '1-A', '-', 'a-', '-a', '1-', '-1', '_', 'a_', '_a', 'a_b', '1_', '_1', '1_2', '.', 'a.', '.a', 'a.b', '1.', '.1', '1.2', ' ', 'a ', ' a', 'a b', '1 ', ' 1', '1 2', r('a', 64)],
    );
  });
  it('words errors as upstream', () => {
    assert.deepEqual(isDNS1123Label('My_Name'), [
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
    assert.deepEqual(isDNS1123Label(r('a', 64)), ['must be no more than 63 characters']);
    assert.equal(DNS1123LabelMaxLength, 63);
  });
});

describe('isDNS1123Subdomain', () => {
  it('accepts and rejects upstream examples', () => {
    table(
      isDNS1123Subdomain,
      ['a', 'ab', 'a-1', 'a--1--2--b', '0', '1a', 'a.a', 'ab.a', 'a1.a', 'a-1.a', 'a--1--2--b.a', 'a.1', '0.a', '01.a', '1--a--b--2', r('a', 253)],
      ['', 'A', 'aBc', '-', 'a-', '-a', '_', 'a_b', '.', 'a.', '.a', 'a..b', '1..2', ' ', 'a b', 'A.a', 'aB.a', 'ab.A', 'A.B.C.D.E', 'a@b', 'a,b', 'a;b', 'a:b', 'a%b', 'a?b', 'a$b', r('a', 254)],
    );
    assert.deepEqual(isDNS1123Subdomain('Foo'), [
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    assert.deepEqual(isDNS1123Subdomain(r('a', 254)), ['must be no more than 253 characters']);
  });
});

describe('isDNS1035Label', () => {
  it('accepts and rejects upstream examples', () => {
    table(
      isDNS1035Label,
      ['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', r('a', 63)],
      ['0', '01', '012', '1a', '1-a', '1--a--b--2', '', 'A', 'ABC', 'aBc', '-', 'a-', '-a', '_', 'a_b', '.', 'a.b', ' ', 'a b', r('a', 64)],
    );
    assert.deepEqual(isDNS1035Label('1a'), [
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
});

describe('isQualifiedName', () => {
  it('accepts and rejects upstream examples', () => {
    table(
      isQualifiedName,
      ['simple', 'now-with-dashes', '1-starts-with-num', '1234', 'simple/simple', 'now-with-dashes/simple', 'now.with.dots/simple', '1-num.2-num/3-num', '1234/5678', '1.2.3.4/5678', 'Uppercase_Is_OK_123', 'example.com/Uppercase_Is_OK_123', 'requests.storage-foo', r('a', 63), `${r('a', 253)}/${r('b', 63)}`],
      ['nospecialchars%^=@', 'cantendwithadash-', '-cantstartwithadash-', 'only/one/slash', 'Example.com/abc', 'example_com/abc', 'example.com/', '/simple', r('a', 64), `${r('a', 254)}/abc`],
    );
  });
  it('words errors as upstream', () => {
    assert.deepEqual(isQualifiedName('/simple'), ['prefix part must be non-empty']);
    assert.deepEqual(isQualifiedName('example.com/'), [
      'name part must be non-empty',
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
    assert.deepEqual(isQualifiedName('a/b/c'), [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
    assert.equal(isQualifiedName('Example.com/abc')[0]!.startsWith('prefix part a lowercase RFC 1123 subdomain'), true);
    assert.deepEqual(isQualifiedName(r('a', 64)), ['name part must be no more than 63 characters']);
  });
});

describe('isValidLabelValue', () => {
  it('accepts and rejects upstream examples', () => {
    table(
      isValidLabelValue,
      ['simple', 'now-with-dashes', '1-starts-with-num', 'end-with-num-1', '1234', r('a', 63), ''],
      ['nospecialchars%^=@', 'Tama-nui-te-rā', 'cantendwithadash-', '-cantstartwithadash-', 'only/one/slash', r('a', 64)],
    );
    assert.deepEqual(isValidLabelValue('-x'), [
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
  });
  it('counts bytes, not UTF-16 units, for the length limit', () => {
    assert.deepEqual(isValidLabelValue(r('ā', 32)).includes('must be no more than 63 characters'), true);
  });
});

describe('ports and ranges', () => {
  it('isValidPortNum', () => {
    for (const p of [1, 2, 1000, 16384, 32768, 65535]) assert.deepEqual(isValidPortNum(p), []);
    for (const p of [0, -1, 65536, 100000]) assert.deepEqual(isValidPortNum(p), ['must be between 1 and 65535, inclusive']);
  });
  it('isInRange', () => {
    assert.deepEqual(isInRange(5, 0, 10), []);
    assert.deepEqual(isInRange(11, 0, 10), ['must be between 0 and 10, inclusive']);
  });
  it('isValidPortName', () => {
    for (const v of ['telnet', 're-mail-ck', 'pop3', 'a', 'a-1', '1-a', 'a-1-b-2-c', '1-a-2-b-3']) assert.deepEqual(isValidPortName(v), []);
    assert.deepEqual(isValidPortName('longerthan15characters'), ['must be no more than 15 characters']);
    assert.deepEqual(isValidPortName(''), ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']);
    assert.deepEqual(isValidPortName('12345'), ['must contain at least one letter (a-z)']);
    assert.deepEqual(isValidPortName('1-2-3-4'), ['must contain at least one letter (a-z)']);
    assert.deepEqual(isValidPortName('-begin'), ['must not begin or end with a hyphen']);
    assert.deepEqual(isValidPortName('end-'), ['must not begin or end with a hyphen']);
    assert.deepEqual(isValidPortName('two--hyphens'), ['must not contain consecutive hyphens']);
    assert.deepEqual(isValidPortName('whois++'), ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']);
  });
});

describe('IP addresses and CIDRs', () => {
  it('isValidIP accepts IPv4 (leading zeros allowed, as ParseIPSloppy) and IPv6', () => {
    table(
      isValidIP,
      ['1.1.1.1', '1.1.1.01', '255.0.0.1', '0.0.0.0', '::', '::1', '2001:db8::1', '2001:db8:0:0:0:0:2:1', '::ffff:1.1.1.1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4', '1::', 'FE80::1'],
      ['', 'a', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.-4', '2001:db8::1::2', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', ':1', '1:', '12345::1', '1:2:3:4:5:6:7:8::', ' 1.1.1.1'],
    );
    assert.deepEqual(isValidIP('x'), ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
  });
  it('expands :: into zero groups', () => {
    assert.deepEqual([...parseIPSloppy('2001:db8::2:1')!], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1]);
    assert.deepEqual([...parseIPSloppy('::ffff:10.0.0.1')!].slice(10), [0xff, 0xff, 10, 0, 0, 1]);
  });
  it('families', () => {
    assert.deepEqual(isValidIPv4Address('10.0.0.1'), []);
    assert.deepEqual(isValidIPv4Address('::ffff:10.0.0.1'), []); // IPv4-mapped: To4() succeeds
    assert.deepEqual(isValidIPv4Address('::1'), ['must be a valid IPv4 address']);
    assert.deepEqual(isValidIPv6Address('::1'), []);
    assert.deepEqual(isValidIPv6Address('10.0.0.1'), ['must be a valid IPv6 address']);
  });
  it('isValidCIDR', () => {
    table(isValidCIDR, ['10.0.0.0/8', '10.1.2.3/32', '0.0.0.0/0', '2001:db8::/64', '::/0', '10.0.0.0/08'], ['10.0.0.0', '10.0.0.0/33', '2001:db8::/129', '/8', '10.0.0.0/', '10.0.0.0/a', 'x/8']);
    assert.deepEqual(isValidCIDR('1.2.3.4'), ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
  });
});

describe('keys and identifiers', () => {
  it('isCIdentifier', () => {
    table(isCIdentifier, ['a', 'ab', 'abc', 'a1', '_a', 'a_', 'a_b', 'a_1', 'A', 'AB', '_', 'A_1'], ['', '1', '123', '1a', '-', 'a-', 'a-b', ' ', 'a b', '#a', 'a.b']);
  });
  it('isEnvVarName', () => {
    table(isEnvVarName, ['a', 'A', 'ab', 'AbC', 'a1', 'a_1', '_', '_a', 'a-1', 'a.1', '-', 'a.b.c', '.a'], ['', '1', '1a', 'a b', 'a=b', '.', '..', '..a', '$a']);
    assert.deepEqual(isEnvVarName('..'), ["must not be '..'"]);
  });
  it('isConfigMapKey', () => {
    table(isConfigMapKey, ['a', 'ab', 'a-b', 'a_b', 'a.b', 'A', '.a', 'a..b', r('a', 253)], ['', '.', '..', '..a', 'a b', 'a/b', r('a', 254)]);
    assert.deepEqual(isConfigMapKey('.'), ["must not be '.'"]);
    assert.deepEqual(isConfigMapKey('..a'), ["must not start with '..'"]);
    assert.deepEqual(isConfigMapKey('a/b'), [
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
  });
  it('isHTTPHeaderName and isValidPercent', () => {
    table(isHTTPHeaderName, ['X-Header', 'a', 'A-1'], ['', 'X Header', 'X_Header', 'X:']);
    table(isValidPercent, ['0%', '1%', '100%', '1000%'], ['', '%', '1', '1.5%', '-1%', 'a%', ' 1%']);
    assert.deepEqual(isValidPercent('5'), [
      "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ]);
  });
  it('isWildcardDNS1123Subdomain', () => {
    table(isWildcardDNS1123Subdomain, ['*.example.com', '*.a', '*.a.b'], ['*', '*.', 'example.com', 'a.*.com', '*.A.com', '**.a']);
  });
  it('isFullyQualifiedName', () => {
    table(isFullyQualifiedName, ['foo.example.com', 'a.b.c'], ['', 'example.com', 'Foo.example.com']);
    assert.deepEqual(isFullyQualifiedName('example.com'), ['should be a domain with at least three segments separated by dots']);
  });
  it('isDomainPrefixedPath', () => {
    table(isDomainPrefixedPath, ['acme.io/foo', 'a/b/c', 'example.com/a-b_c~d'], ['', 'acme.io', '/foo', 'acme.io/', 'ACME.io/foo', 'acme.io/a b']);
    const errs = validateDomainPrefixedPath('acme.io', Path.root('spec', 'x'));
    assert.equal(errs[0]!.toString(), 'spec.x: Invalid value: "acme.io": must be a domain-prefixed path (such as "acme.io/foo")');
  });
  it('isValidPathSegmentName', () => {
    assert.deepEqual(isValidPathSegmentName('ok:name'), []);
    assert.deepEqual(isValidPathSegmentName('.'), ["may not be '.'"]);
    assert.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
    assert.deepEqual(isValidPathSegmentName('a/b%c'), ["may not contain '/'", "may not contain '%'"]);
    assert.deepEqual(validatePathSegmentName('..', true), []); // a prefix may be '..'
  });
});

describe('field-level wrappers', () => {
  it('validateLabels reports keys and values at the labels path', () => {
    const errs = validateLabels({ 'good/key': 'ok', 'bad key': 'v', k: '-bad' }, Path.root('metadata', 'labels'));
    assert.equal(errs.length, 2);
    assert.equal(errs[0]!.field, 'metadata.labels');
    assert.match(errs[0]!.toString(), /^metadata\.labels: Invalid value: "bad key": name part must consist of/);
    assert.match(errs[1]!.toString(), /^metadata\.labels: Invalid value: "-bad": a valid label must be/);
  });
  it('validateAnnotations: case-insensitive keys and the 256 KiB total', () => {
    assert.deepEqual(validateAnnotations({ 'Example.com/Key': 'x' }, Path.root('metadata', 'annotations')), []);
    assert.equal(validateAnnotations({ 'a b': 'x' }, Path.root('a')).length, 1);
    const big = { k: r('x', 256 * 1024) };
    const errs = validateAnnotations(big, Path.root('metadata', 'annotations'));
    assert.equal(errs.length, 1);
    assert.equal(errs[0]!.type, 'FieldValueTooLong');
    assert.equal(errs[0]!.field, 'metadata.annotations');
    assert.deepEqual(validateAnnotations({ k: r('x', 256 * 1024 - 1) }, Path.root('a')), []);
  });
  it('validateNonnegativeField', () => {
    assert.deepEqual(validateNonnegativeField(0, Path.root('x')), []);
    assert.equal(validateNonnegativeField(-1, Path.root('x'))[0]!.toString(), 'x: Invalid value: -1: must be greater than or equal to 0');
  });
});
