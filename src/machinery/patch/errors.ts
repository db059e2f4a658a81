// Errors of strategic merge patch, worded as upstream k8s.io/apimachinery/pkg/util/mergepatch
// and strategicpatch, and their translation to API statuses as upstream's
// handlers/patch.go interpretStrategicMergePatchError does.

import { newBadRequest, StatusError } from '../errors.js';

/**
 * Stable codes. The first seven are upstream's sentinel errors (which the API server maps to
 * 400 or 422); `PatchFailed` is every other failure, which upstream answers with a bare 500.
 */
export type StrategicMergePatchErrorCode =
  | 'BadJSONDoc'
  | 'NoListOfLists'
  | 'BadPatchFormatForPrimitiveList'
  | 'BadPatchFormatForRetainKeys'
  | 'BadPatchFormatForSetElementOrderList'
  | 'PatchContentNotMatchRetainKeys'
  | 'UnsupportedStrategicMergePatchFormat'
  | 'PatchFailed';

const SENTINEL_MESSAGES: Record<Exclude<StrategicMergePatchErrorCode, 'PatchFailed'>, string> = {
  BadJSONDoc: 'invalid JSON document',
  NoListOfLists: 'lists of lists are not supported',
  BadPatchFormatForPrimitiveList: 'invalid patch format of primitive list',
  BadPatchFormatForRetainKeys: 'invalid patch format of retainKeys',
  BadPatchFormatForSetElementOrderList: 'invalid patch format of setElementOrder list',
  PatchContentNotMatchRetainKeys: "patch content doesn't match retainKeys list",
  UnsupportedStrategicMergePatchFormat: 'strategic merge patch format is not supported',
};

export class StrategicMergePatchError extends Error {
  readonly code: StrategicMergePatchErrorCode;

  constructor(code: StrategicMergePatchErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? (code === 'PatchFailed' ? 'strategic merge patch failed' : SENTINEL_MESSAGES[code]), options);
    this.name = 'StrategicMergePatchError';
    this.code = code;
  }

  /** One of upstream's sentinel errors, with its fixed message. */
  static sentinel(code: Exclude<StrategicMergePatchErrorCode, 'PatchFailed'>): StrategicMergePatchError {
    return new StrategicMergePatchError(code);
  }
}

/**
 * The API status for a failed strategic merge patch: 400 for malformed directives, 422 for
 * lists of lists, and 400 for everything else (upstream: a plain 500; see below).
 */
export function strategicMergePatchStatus(err: StrategicMergePatchError): StatusError {
  switch (err.code) {
    case 'BadJSONDoc':
    case 'BadPatchFormatForPrimitiveList':
    case 'BadPatchFormatForRetainKeys':
    case 'BadPatchFormatForSetElementOrderList':
    case 'UnsupportedStrategicMergePatchFormat':
      return newBadRequest(err.message);
    case 'NoListOfLists':
    case 'PatchContentNotMatchRetainKeys':
      // NewGenericServerResponse(422, ...): the message is the generic one, not the error's.
      return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {}, { cause: err });
    case 'PatchFailed':
      // Upstream lets these (unknown directives, missing merge keys…) surface as a 500, but the
      // fault is the patch's: k8ts answers 400 so a bad request never looks like a server error.
      return newBadRequest(err.message);
  }
}

/** Go's `%v` of a decoded JSON value: `map[a:1 b:[x y]]`, `<nil>`. */
export function goValueString(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValueString).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `map[${keys.map((k) => `${k}:${goValueString(o[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return goNumberString(v);
  return String(v);
}

function goNumberString(n: number): string {
  const s = String(n);
  // Go writes exponents with at least two digits (1e-07), JavaScript with one (1e-7).
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Go's reflect type name of a decoded JSON value, as upstream's ErrBadArgType prints it. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  switch (typeof v) {
    case 'object':
      return 'map[string]interface {}';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int64' : 'float64';
    default:
      return typeof v;
  }
}
