// ConfigMap and Secret validation (upstream ValidateConfigMap/Update, ValidateSecret/Update).
// Sizes count decoded bytes: binaryData and secret data are base64 on the wire.

import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import { type ErrorList, Path, forbidden, invalid, required, tooLong } from '../../../../machinery/field.js';
import { isConfigMapKey } from '../../../../machinery/validation.js';
import { MAX_SECRET_SIZE, semanticEqual, validateImmutableField } from './common.js';

const IMMUTABLE_SET = 'field is immutable when `immutable` is set';
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodedLength(b64: string): number | undefined {
  const s = b64.replace(/\s/g, '');
  if (s.length % 4 === 1 || !B64.test(s)) return undefined;
  return Buffer.from(s, 'base64').length;
}

function decode(b64: string | undefined): Buffer | undefined {
  if (b64 === undefined) return undefined;
  return decodedLength(b64) === undefined ? undefined : Buffer.from(b64.replace(/\s/g, ''), 'base64');
}

/** ValidateConfigMap (metadata excluded). */
export function validateConfigMap(cm: ConfigMap): ErrorList {
  const errs: ErrorList = [];
  let total = 0;
  const binary = cm.binaryData ?? {};
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    const p = Path.root('data').key(k);
    errs.push(...isConfigMapKey(k).map((m) => invalid(p, k, m)));
    if (k in binary) errs.push(invalid(p, k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(v ?? '', 'utf8');
  }
  for (const [k, v] of Object.entries(binary)) {
    const p = Path.root('binaryData').key(k);
    errs.push(...isConfigMapKey(k).map((m) => invalid(p, k, m)));
    const n = decodedLength(v ?? '');
    if (n === undefined) errs.push(invalid(p, '<binary data>', 'illegal base64 data'));
    else total += n;
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('', '', MAX_SECRET_SIZE));
  return errs;
}

/** ValidateConfigMapUpdate (metadata excluded). */
export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): ErrorList {
  const errs: ErrorList = [];
  if (old.immutable) {
    if (!cm.immutable) errs.push(forbidden('immutable', IMMUTABLE_SET));
    if (!semanticEqual(cm.data ?? {}, old.data ?? {})) errs.push(forbidden('data', IMMUTABLE_SET));
    if (!semanticEqual(cm.binaryData ?? {}, old.binaryData ?? {})) errs.push(forbidden('binaryData', IMMUTABLE_SET));
  }
  errs.push(...validateConfigMap(cm));
  return errs;
}

/** ValidateSecret (metadata excluded). stringData has been merged into data by the defaults. */
export function validateSecret(secret: Secret): ErrorList {
  const errs: ErrorList = [];
  const dataPath = Path.root('data');
  const data = secret.data ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(dataPath.key(k), k, m)));
    const n = decodedLength(v ?? '');
    if (n === undefined) errs.push(invalid(dataPath.key(k), '<secret contents redacted>', 'illegal base64 data'));
    else total += n;
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong(dataPath, '', MAX_SECRET_SIZE));
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(data, k);
  const jsonKey = (key: string): void => {
    if (!has(key)) {
      errs.push(required(dataPath.key(key), ''));
      return;
    }
    const raw = decode(data[key]);
    try {
      const parsed: unknown = JSON.parse(raw?.toString('utf8') ?? '');
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
    } catch (e) {
      errs.push(invalid(dataPath.key(key), '<secret contents redacted>', e instanceof Error ? e.message : String(e)));
    }
  };
  switch (secret.type ?? '') {
    case 'kubernetes.io/service-account-token':
      if (!secret.metadata?.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required(Path.root('metadata', 'annotations').key('kubernetes.io/service-account.name'), ''));
      }
      break;
    case 'kubernetes.io/dockercfg':
      jsonKey('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      jsonKey('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) {
        errs.push(required(dataPath.key('username'), ''));
        errs.push(required(dataPath.key('password'), ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!data['ssh-privatekey']) errs.push(required(dataPath.key('ssh-privatekey'), ''));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required(dataPath.key('tls.crt'), ''));
      if (!has('tls.key')) errs.push(required(dataPath.key('tls.key'), ''));
      break;
  }
  return errs;
}

/** ValidateSecretUpdate (metadata excluded). */
export function validateSecretUpdate(secret: Secret, old: Secret): ErrorList {
  const errs = validateImmutableField(secret.type ?? '', old.type ?? '', 'type');
  if (old.immutable) {
    if (!secret.immutable) errs.push(forbidden('immutable', IMMUTABLE_SET));
    if (!semanticEqual(secret.data ?? {}, old.data ?? {})) errs.push(forbidden('data', IMMUTABLE_SET));
  }
  errs.push(...validateSecret(secret));
  return errs;
}
