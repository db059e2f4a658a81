// certificates.k8s.io/v1 CertificateSigningRequest: pkg/apis/certificates/v1/defaults.go and
// pkg/apis/certificates/validation. The PKCS#10 request is checked structurally (PEM type and
// DER framing); its signature is not verified.

import type { CertificateSigningRequest, CertificateSigningRequestCondition } from 'kubernetes-types/certificates/v1.js';
import { FieldError, Path, duplicate, forbidden, invalid, notSupported, required, tooLong, type ErrorList } from '../../../machinery/field.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../../machinery/validation.js';
import type { GroupVersionKinds, KindHandlers } from '../../scheme.js';

export const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';

const KEY_USAGES = [
  'any',
  'cert sign',
  'client auth',
  'code signing',
  'content commitment',
  'crl sign',
  'data encipherment',
  'decipher only',
  'digital signature',
  'email protection',
  'encipher only',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'key agreement',
  'key encipherment',
  'microsoft sgc',
  'netscape sgc',
  'ocsp signing',
  's/mime',
  'server auth',
  'signing',
  'timestamping',
];

/** Invalid error printing its value as Go prints a []byte with %#v. */
class BytesValueError extends FieldError {
  constructor(field: string, private readonly bytes: Uint8Array, detail: string) {
    super('FieldValueInvalid', field, '', detail);
  }
  override body(): string {
    const hex = Array.from(this.bytes, (b) => `0x${b.toString(16)}`).join(', ');
    return `Invalid value: []byte{${hex}}${this.detail ? `: ${this.detail}` : ''}`;
  }
}

/** Go encoding/pem Decode: the first PEM block in the input. */
function pemDecode(text: string): { type: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  const body = m[2]!.split(/\r?\n/).filter((l) => !l.includes(':')).join('');
  if (!/^[A-Za-z0-9+/=\s]*$/.test(body)) return undefined;
  return { type: m[1]!, der: Buffer.from(body, 'base64') };
}

/** One DER TLV at `off`: its tag, where its content starts and ends; undefined if malformed. */
function tlv(buf: Buffer, off: number, end: number): { tag: number; start: number; end: number } | undefined {
  if (off + 2 > end) return undefined;
  const tag = buf[off]!;
  let len = buf[off + 1]!;
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > end) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > end) return undefined;
  return { tag, start: p, end: p + len };
}

/** '' when the request is a PEM CERTIFICATE REQUEST whose DER has the PKCS#10 outline. */
function checkCSR(request: Buffer): string {
  const block = pemDecode(request.toString('latin1'));
  if (!block || block.type !== 'CERTIFICATE REQUEST') return 'PEM block type must be CERTIFICATE REQUEST';
  const der = block.der;
  const outer = tlv(der, 0, der.length);
  if (!outer || outer.tag !== 0x30) return 'asn1: structure error: tags don\'t match';
  if (outer.end !== der.length) return 'x509: trailing data after X.509 CertificateRequest';
  const info = tlv(der, outer.start, outer.end);
  const alg = info && tlv(der, info.end, outer.end);
  const sig = alg && tlv(der, alg.end, outer.end);
  if (!info || !alg || !sig || info.tag !== 0x30 || alg.tag !== 0x30 || sig.tag !== 0x03 || sig.end !== outer.end) {
    return 'x509: malformed certificate request';
  }
  return '';
}

/** Upstream ValidateSignerName. */
export function validateSignerName(path: Path, signerName: string): ErrorList {
  if (!signerName) return [required(path)];
  const errs: ErrorList = [];
  const segments = signerName.split('/');
  if (segments.length !== 2) {
    return [invalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  }
  const [domain, name] = segments as [string, string];
  if (domain.length > 253) errs.push(tooLong(path, domain, 253));
  const labels = domain.split('.');
  for (const l of labels) {
    const le = isDNS1123Label(l);
    if (le.length) {
      for (const m of le) errs.push(invalid(path, domain, `validating label ${JSON.stringify(l)}: ${m}`));
      break;
    }
  }
  if (labels.length < 2) errs.push(invalid(path, domain, 'should be a domain with at least two segments separated by dots'));
  for (const c of name.split('.')) {
    const ce = isDNS1123Subdomain(c);
    if (ce.length) {
      for (const m of ce) errs.push(invalid(path, name, `validating component ${JSON.stringify(c)}: ${m}`));
      break;
    }
  }
  if (signerName.length > 253 + 253 + 1) errs.push(tooLong(path, signerName, 253 + 253 + 1));
  return errs;
}

interface Options {
  allowLegacySignerName: boolean;
  allowDuplicateUsages: boolean;
  allowUnknownUsages: boolean;
}

function validateConditions(csr: CertificateSigningRequest): ErrorList {
  const errs: ErrorList = [];
  const path = Path.root('status', 'conditions');
  const seen = new Set<string>();
  let approved = false, denied = false;
  (csr.status?.conditions ?? []).forEach((c: CertificateSigningRequestCondition, i) => {
    const p = path.at(i);
    if (!c.type) errs.push(required(p.child('type')));
    if (c.type === 'Approved' || c.type === 'Denied' || c.type === 'Failed') {
      if (seen.has(c.type)) errs.push(duplicate(p.child('type'), c.type));
      seen.add(c.type);
      if (c.status !== 'True') errs.push(notSupported(p.child('status'), c.status ?? '', ['True']));
    } else if (!['True', 'False', 'Unknown'].includes(c.status ?? '')) {
      errs.push(notSupported(p.child('status'), c.status ?? '', ['False', 'True', 'Unknown']));
    }
    if (c.type === 'Approved' && c.status === 'True') approved = true;
    if (c.type === 'Denied' && c.status === 'True') denied = true;
  });
  if (approved && denied) errs.push(invalid(path, csr.status?.conditions ?? [], 'Approved and Denied conditions are mutually exclusive'));
  return errs;
}

function validateCSRObject(csr: CertificateSigningRequest, opts: Options): ErrorList {
  const errs: ErrorList = [];
  const sp = Path.root('spec');
  const spec = csr.spec ?? ({} as Partial<CertificateSigningRequest['spec']>);
  const request = Buffer.from(spec.request ?? '', 'base64');
  const csrErr = checkCSR(request);
  if (csrErr) errs.push(new BytesValueError('spec.request', request, csrErr));
  const usages = spec.usages ?? [];
  if (!usages.length) errs.push(required(sp.child('usages')));
  if (!opts.allowUnknownUsages) {
    usages.forEach((u, i) => {
      if (!KEY_USAGES.includes(u)) errs.push(notSupported(sp.child('usages').at(i), u, KEY_USAGES));
    });
  }
  if (!opts.allowDuplicateUsages) {
    const seen = new Set<string>();
    usages.forEach((u, i) => {
      if (seen.has(u)) errs.push(duplicate(sp.child('usages').at(i), u));
      seen.add(u);
    });
  }
  const signer = spec.signerName ?? '';
  if (!opts.allowLegacySignerName && signer === LEGACY_UNKNOWN_SIGNER) {
    errs.push(invalid(sp.child('signerName'), signer, 'the legacy signerName is not allowed via this API version'));
  } else {
    errs.push(...validateSignerName(sp.child('signerName'), signer));
  }
  if (spec.expirationSeconds != null && spec.expirationSeconds < 600) {
    errs.push(invalid(sp.child('expirationSeconds'), spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  errs.push(...validateConditions(csr));
  return errs;
}

const CREATE_OPTS: Options = { allowLegacySignerName: false, allowDuplicateUsages: false, allowUnknownUsages: false };

/** Stored objects keep validating even if they predate today's stricter rules. */
function updateOpts(old: CertificateSigningRequest): Options {
  const usages = old.spec?.usages ?? [];
  return {
    allowLegacySignerName: old.spec?.signerName === LEGACY_UNKNOWN_SIGNER,
    allowDuplicateUsages: new Set(usages).size !== usages.length,
    allowUnknownUsages: usages.some((u) => !KEY_USAGES.includes(u)),
  };
}

function validateCertificateUnchanged(csr: CertificateSigningRequest, old: CertificateSigningRequest): ErrorList {
  const cert = csr.status?.certificate;
  const oldCert = old.status?.certificate;
  if (oldCert && cert !== oldCert) return [forbidden('status.certificate', 'updates may not modify existing certificate content')];
  return [];
}

export const certificateSigningRequestHandlers: KindHandlers<CertificateSigningRequest> = {
  nameValidation: 'none',
  validate: (csr) => validateCSRObject(csr, CREATE_OPTS),
  validateUpdate: (csr, old) => validateCSRObject(csr, updateOpts(old)),
  validateStatusUpdate: (csr, old) => [...validateCSRObject(csr, updateOpts(old)), ...validateCertificateUnchanged(csr, old)],
};

export const kinds: GroupVersionKinds = { CertificateSigningRequest: certificateSigningRequestHandlers };
