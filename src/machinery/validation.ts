// Syntax checks for names, label keys and values, ports, IPs and other strings, as
// k8s.io/apimachinery/pkg/util/validation (v1.32). Each `is…` function returns the list of
// problems worded exactly as upstream (empty when valid); the `validate…` wrappers turn them
// into field errors at a path.

import { type ErrorList, type Path, invalid, required, tooLong } from './field.js';

// ---- message helpers (upstream MaxLenError, RegexError, EmptyError, InclusiveRangeError) ----

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')` — upstream's odd spacing included. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let s = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) s += ' or ';
    s += `'${e}', `;
  });
  return `${s}regex used for validation is '${fmt}')`;
}

export function emptyError(): string {
  return 'must be non-empty';
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

const prefixEach = (msgs: string[], prefix: string): string[] => msgs.map((m) => prefix + m);

/** Anchored regexp for an upstream format string. */
const anchored = (fmt: string): RegExp => new RegExp(`^${fmt}$`);

/** Byte length as Go's len(string) (UTF-8). */
function byteLen(s: string): number {
  // Fast path: pure ASCII strings are by far the common case.
  return /^[\x00-\x7f]*$/.test(s) ? s.length : Buffer.byteLength(s, 'utf8');
}

// ---- qualified names and label values ----

const qnameCharFmt = '[A-Za-z0-9]';
const qnameExtCharFmt = '[-A-Za-z0-9_.]';
const qualifiedNameFmt = `(${qnameCharFmt}${qnameExtCharFmt}*)?${qnameCharFmt}`;
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameMaxLength = 63;
const qualifiedNameRe = anchored(qualifiedNameFmt);

/** IsQualifiedName: label keys, annotation keys (lower-cased first), finalizers. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  switch (parts.length) {
    case 1:
      name = parts[0]!;
      break;
    case 2: {
      const prefix = parts[0]!;
      name = parts[1]!;
      if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
      else {
        const msgs = isDNS1123Subdomain(prefix);
        if (msgs.length) errs.push(...prefixEach(msgs, 'prefix part '));
      }
      break;
    }
    default:
      errs.push(
        `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}` +
          " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      );
      return errs;
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (byteLen(name) > qualifiedNameMaxLength) errs.push(`name part ${maxLenError(qualifiedNameMaxLength)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const LabelValueMaxLength = 63;
const labelValueRe = anchored(labelValueFmt);

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > LabelValueMaxLength) errs.push(maxLenError(LabelValueMaxLength));
  if (!labelValueRe.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---- DNS names ----

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123LabelErrMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
export const DNS1123LabelMaxLength = 63;
const dns1123LabelRe = anchored(dns1123LabelFmt);

const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
export const DNS1123SubdomainMaxLength = 253;
const dns1123SubdomainRe = anchored(dns1123SubdomainFmt);

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123LabelMaxLength) errs.push(maxLenError(DNS1123LabelMaxLength));
  if (!dns1123LabelRe.test(value)) {
    // A valid subdomain that is not a valid label (length already checked) must contain dots.
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

const dns1123LabelFmtWithUnderscore = '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmtWithUnderscore = `${dns1123LabelFmtWithUnderscore}(\\.${dns1123LabelFmtWithUnderscore})*`;
const dns1123SubdomainWithUnderscoreErrMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character";
const dns1123SubdomainWithUnderscoreRe = anchored(dns1123SubdomainFmtWithUnderscore);

/** IsDNS1123SubdomainWithUnderscore (ExternalName services, DNS search paths). */
export function isDNS1123SubdomainWithUnderscore(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!dns1123SubdomainWithUnderscoreRe.test(value)) {
    errs.push(regexError(dns1123SubdomainWithUnderscoreErrMsg, dns1123SubdomainFmtWithUnderscore, 'example.com'));
  }
  return errs;
}

const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035LabelErrMsg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
export const DNS1035LabelMaxLength = 63;
const dns1035LabelRe = anchored(dns1035LabelFmt);

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1035LabelMaxLength) errs.push(maxLenError(DNS1035LabelMaxLength));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(dns1035LabelErrMsg, dns1035LabelFmt, 'my-name', 'abc-123'));
  return errs;
}

const wildcardDNS1123SubdomainFmt = `\\*\\.${dns1123SubdomainFmt}`;
const wildcardDNS1123SubdomainErrMsg =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";
const wildcardDNS1123SubdomainRe = anchored(wildcardDNS1123SubdomainFmt);

export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!wildcardDNS1123SubdomainRe.test(value)) errs.push(regexError(wildcardDNS1123SubdomainErrMsg, wildcardDNS1123SubdomainFmt, '*.example.com'));
  return errs;
}

/**
 * IsFullyQualifiedName without the path: a DNS subdomain of at least three segments
 * (CRD group names, some plugin names). Messages are the detail of upstream's field errors;
 * an empty name yields `Required value` upstream, reported here as the empty-string message.
 */
export function isFullyQualifiedName(name: string): string[] {
  if (name.length === 0) return [emptyError()];
  const errs = isDNS1123Subdomain(name);
  if (errs.length) return [errs.join(',')];
  if (name.split('.').length < 3) return ['should be a domain with at least three segments separated by dots'];
  return [];
}

/** Upstream IsFullyQualifiedName(fldPath, name) with its exact field errors. */
export function validateFullyQualifiedName(name: string, path: Path): ErrorList {
  if (name.length === 0) return [required(path, '')];
  const errs = isDNS1123Subdomain(name);
  if (errs.length) return [invalid(path, name, errs.join(','))];
  if (name.split('.').length < 3) return [invalid(path, name, 'should be a domain with at least three segments separated by dots')];
  return [];
}

/** Upstream IsFullyQualifiedDomainName: an optional trailing dot, at least two segments. */
export function validateFullyQualifiedDomainName(name: string, path: Path): ErrorList {
  const hostname = name.endsWith('.') ? name.slice(0, -1) : name;
  if (hostname.length === 0) return [required(path, '')];
  const errs = isDNS1123Subdomain(hostname);
  if (errs.length) return [invalid(path, hostname, errs.join(','))];
  const labels = hostname.split('.');
  if (labels.length < 2) return [invalid(path, name, 'should be a domain with at least two segments separated by dots')];
  for (const label of labels) {
    const le = isDNS1123Label(label);
    if (le.length) return [invalid(path, label, le.join(','))];
  }
  return [];
}

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = anchored(httpPathFmt);

/** Upstream IsDomainPrefixedPath: `acme.io/foo`. */
export function validateDomainPrefixedPath(dpPath: string, path: Path): ErrorList {
  if (dpPath.length === 0) return [required(path, '')];
  const slash = dpPath.indexOf('/');
  const host = slash < 0 ? dpPath : dpPath.slice(0, slash);
  const rest = slash < 0 ? '' : dpPath.slice(slash + 1);
  if (slash < 0 || host.length === 0 || rest.length === 0) {
    return [invalid(path, dpPath, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  }
  const errs: ErrorList = isDNS1123Subdomain(host).map((m) => invalid(path, host, m));
  if (!httpPathRe.test(rest)) errs.push(invalid(path, rest, regexError('Invalid path', httpPathFmt)));
  return errs;
}

/** The string form of validateDomainPrefixedPath, for callers that add their own path. */
export function isDomainPrefixedPath(dpPath: string): string[] {
  if (dpPath.length === 0) return [emptyError()];
  const slash = dpPath.indexOf('/');
  if (slash <= 0 || slash === dpPath.length - 1) return ['must be a domain-prefixed path (such as "acme.io/foo")'];
  const errs = isDNS1123Subdomain(dpPath.slice(0, slash));
  if (!httpPathRe.test(dpPath.slice(slash + 1))) errs.push(regexError('Invalid path', httpPathFmt));
  return errs;
}

// ---- identifiers and keys ----

const cIdentifierFmt = '[A-Za-z_][A-Za-z0-9_]*';
const identifierErrMsg = "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'";
const cIdentifierRe = anchored(cIdentifierFmt);

export function isCIdentifier(value: string): string[] {
  return cIdentifierRe.test(value) ? [] : [regexError(identifierErrMsg, cIdentifierFmt, 'my_name', 'MY_NAME', 'MyName')];
}

function hasChDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

const envVarNameFmt = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const envVarNameFmtErrMsg = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
const envVarNameRe = anchored(envVarNameFmt);

export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!envVarNameRe.test(value)) errs.push(regexError(envVarNameFmtErrMsg, envVarNameFmt, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'));
  errs.push(...hasChDirPrefix(value));
  return errs;
}

const relaxedEnvVarNameFmtErrMsg = "a valid environment variable name must consist only of printable ASCII characters other than '='";

/** IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, beta and on by default in 1.32). */
export function isRelaxedEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (value.length === 0) errs.push(`environment variable name ${emptyError()}`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 32 || c > 126 || c === 61 /* = */) {
      errs.push(relaxedEnvVarNameFmtErrMsg);
      break;
    }
  }
  errs.push(...hasChDirPrefix(value));
  return errs;
}

const configMapKeyFmt = '[-._a-zA-Z0-9]+';
const configMapKeyErrMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const configMapKeyRe = anchored(configMapKeyFmt);

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!configMapKeyRe.test(value)) errs.push(regexError(configMapKeyErrMsg, configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  errs.push(...hasChDirPrefix(value));
  return errs;
}

const httpHeaderNameFmt = '[-A-Za-z0-9]+';
const httpHeaderNameErrMsg = "a valid HTTP header must consist of alphanumeric characters or '-'";
const httpHeaderNameRe = anchored(httpHeaderNameFmt);

export function isHTTPHeaderName(value: string): string[] {
  return httpHeaderNameRe.test(value) ? [] : [regexError(httpHeaderNameErrMsg, httpHeaderNameFmt, 'X-Header-Name')];
}

const percentFmt = '[0-9]+%';
const percentErrMsg = "a valid percent string must be a numeric string followed by an ending '%'";
const percentRe = anchored(percentFmt);

export function isValidPercent(value: string): string[] {
  return percentRe.test(value) ? [] : [regexError(percentErrMsg, percentFmt, '1%', '93%')];
}

// ---- numbers and ports ----

export function isInRange(value: number, min: number, max: number): string[] {
  return value >= min && value <= max ? [] : [inclusiveRangeError(min, max)];
}

export function isValidPortNum(port: number): string[] {
  return isInRange(port, 1, 65535);
}

/** IsValidGroupID / IsValidUserID: 0..2147483647. */
export function isValidGroupID(gid: number): string[] {
  return isInRange(gid, 0, 2147483647);
}
export function isValidUserID(uid: number): string[] {
  return isInRange(uid, 0, 2147483647);
}

const portNameCharsetRe = /^[-a-z0-9]+$/;
const portNameOneLetterRe = /[a-z]/;

/** IsValidPortName: an IANA_SVC_NAME. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (byteLen(port) > 15) errs.push(maxLenError(15));
  if (!portNameCharsetRe.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!portNameOneLetterRe.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

// ---- IP addresses (k8s.io/utils/net ParseIPSloppy: IPv4 octets may carry leading zeros) ----

/** 4 bytes for dotted IPv4, 16 for IPv6, undefined when malformed. Zones are rejected. */
export function parseIPSloppy(s: string): Uint8Array | undefined {
  if (s.includes(':')) return parseIPv6(s);
  return parseIPv4(s);
}

function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (p.length === 0 || !/^[0-9]+$/.test(p)) return undefined;
    let n = 0;
    for (let j = 0; j < p.length; j++) {
      n = n * 10 + (p.charCodeAt(j) - 48);
      if (n > 255) return undefined;
    }
    out[i] = n;
  }
  return out;
}

function parseIPv6(s: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  let ellipsis = -1;
  let i = 0;
  let pos = 0;
  if (s.startsWith('::')) {
    ellipsis = 0;
    pos = 2;
    if (pos === s.length) return out;
  }
  while (i < 16) {
    // hex group
    let n = 0;
    let digits = 0;
    let j = pos;
    while (j < s.length && digits < 5) {
      const c = s.charCodeAt(j);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else break;
      n = n * 16 + d;
      digits++;
      j++;
    }
    if (digits === 0 || digits > 4 || n > 0xffff) return undefined;
    // embedded IPv4 at the end
    if (j < s.length && s[j] === '.') {
      if (ellipsis < 0 && i !== 12) return undefined;
      if (i + 4 > 16) return undefined;
      const v4 = parseIPv4(s.slice(pos));
      if (!v4) return undefined;
      out.set(v4, i);
      i += 4;
      pos = s.length;
      break;
    }
    out[i] = n >> 8;
    out[i + 1] = n & 0xff;
    i += 2;
    pos = j;
    if (pos === s.length) break;
    if (s[pos] !== ':' || pos + 1 === s.length) return undefined;
    pos++;
    if (s[pos] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      pos++;
      if (pos === s.length) break;
    }
  }
  if (pos !== s.length) return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const n = 16 - i;
    for (let k = i - 1; k >= ellipsis; k--) out[k + n] = out[k]!;
    for (let k = ellipsis + n - 1; k >= ellipsis; k--) out[k] = 0;
  } else if (ellipsis >= 0) {
    return undefined; // an ellipsis must stand for at least one group
  }
  return out;
}

/** net.IP.To4: IPv4 and IPv4-mapped IPv6 addresses. */
function isV4(ip: Uint8Array): boolean {
  if (ip.length === 4) return true;
  for (let k = 0; k < 10; k++) if (ip[k] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

const ipErr = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const cidrErr = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

export function isValidIP(value: string): string[] {
  return parseIPSloppy(value) ? [] : [ipErr];
}
export function isValidIPv4Address(value: string): string[] {
  const ip = parseIPSloppy(value);
  return ip && isV4(ip) ? [] : ['must be a valid IPv4 address'];
}
export function isValidIPv6Address(value: string): string[] {
  const ip = parseIPSloppy(value);
  return ip && !isV4(ip) ? [] : ['must be a valid IPv6 address'];
}

/** ParseCIDRSloppy: address, '/', decimal prefix length within the family's bits. */
export function parseCIDRSloppy(value: string): { ip: Uint8Array; bits: number } | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIPSloppy(value.slice(0, slash));
  const m = value.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(m)) return undefined;
  const bits = Number(m);
  if (bits > ip.length * 8) return undefined;
  return { ip, bits };
}

export function isValidCIDR(value: string): string[] {
  return parseCIDRSloppy(value) ? [] : [cidrErr];
}

export function validateIP(value: string, path: Path): ErrorList {
  return isValidIP(value).map((m) => invalid(path, value, m));
}
export function validateIPv4Address(value: string, path: Path): ErrorList {
  return isValidIPv4Address(value).map((m) => invalid(path, value, m));
}
export function validateIPv6Address(value: string, path: Path): ErrorList {
  return isValidIPv6Address(value).map((m) => invalid(path, value, m));
}
export function validateCIDR(value: string, path: Path): ErrorList {
  return isValidCIDR(value).map((m) => invalid(path, value, m));
}

// ---- path segment names (k8s.io/apimachinery/pkg/api/validation/path) ----

export const NameMayNotBe = ['.', '..'] as const;
export const NameMayNotContain = ['/', '%'] as const;

export function isValidPathSegmentName(name: string): string[] {
  for (const bad of NameMayNotBe) if (name === bad) return [`may not be '${bad}'`];
  return isValidPathSegmentPrefix(name);
}

export function isValidPathSegmentPrefix(name: string): string[] {
  const errs: string[] = [];
  for (const bad of NameMayNotContain) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/** ValidatePathSegmentName(name, prefix). */
export function validatePathSegmentName(name: string, prefix: boolean): string[] {
  return prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name);
}

// ---- field-level wrappers (api/validation and apis/meta/v1/validation) ----

export const IsNegativeErrorMsg = 'must be greater than or equal to 0';
export const TotalAnnotationSizeLimitB = 256 * 1024;

/** metav1validation.ValidateLabelName */
export function validateLabelName(name: string, path: Path): ErrorList {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

/** metav1validation.ValidateLabels: every key a qualified name, every value a label value. */
export function validateLabels(labels: Record<string, string> | undefined | null, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!labels) return errs;
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, path));
    for (const m of isValidLabelValue(String(v))) errs.push(invalid(path, v, m));
  }
  return errs;
}

/** ValidateAnnotationsSize: the total of key and value lengths in bytes. */
export function annotationsSize(annotations: Record<string, string> | undefined | null): number {
  let total = 0;
  if (!annotations) return total;
  for (const [k, v] of Object.entries(annotations)) total += byteLen(k) + byteLen(String(v ?? ''));
  return total;
}

/** apimachinery ValidateAnnotations: case-insensitive qualified keys, at most 256 KiB in total. */
export function validateAnnotations(annotations: Record<string, string> | undefined | null, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!annotations) return errs;
  for (const k of Object.keys(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
  }
  if (annotationsSize(annotations) > TotalAnnotationSizeLimitB) errs.push(tooLong(path, '', TotalAnnotationSizeLimitB));
  return errs;
}

/** ValidateNonnegativeField */
export function validateNonnegativeField(value: number, path: Path): ErrorList {
  return value < 0 ? [invalid(path, value, IsNegativeErrorMsg)] : [];
}

export function validateDNS1123Label(value: string, path: Path): ErrorList {
  return isDNS1123Label(value).map((m) => invalid(path, value, m));
}

export function validateDNS1123Subdomain(value: string, path: Path): ErrorList {
  return isDNS1123Subdomain(value).map((m) => invalid(path, value, m));
}

/** ValidateQualifiedName (api/validation/generic.go) */
export function validateQualifiedName(value: string, path: Path): ErrorList {
  return isQualifiedName(value).map((m) => invalid(path, value, m));
}
