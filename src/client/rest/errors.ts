// Errors of the client library: an API answer that is a Status (APIStatusError, a StatusError
// carrying the Status the server sent) and a failure to reach the server at all (TransportError).

import { StatusError, type Status, type StatusReason } from '../../machinery/errors.js';

/** The server answered with an error Status (or an error code that is turned into one). */
export class APIStatusError extends StatusError {
  /** The Status as received (or synthesised from the HTTP code when the body was not a Status). */
  readonly status: Status;

  constructor(status: Status) {
    super(status.code, status.reason ?? 'Unknown', status.message ?? `the server responded with code ${status.code}`, status.details);
    this.name = 'APIStatusError';
    this.status = status;
  }
}

/** The request never got an answer: connection refused, reset, TLS failure, a cut stream. */
export class TransportError extends Error {
  readonly code = 'Transport';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
  }
}

// Upstream apimachinery's reasonForCode, used when an error body is not a Status.
const REASON_BY_CODE: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Builds the error for a non-2xx answer from its code and body text. */
export function errorFromResponse(code: number, body: string): APIStatusError {
  try {
    const parsed = JSON.parse(body) as Partial<Status> | null;
    if (parsed && parsed.kind === 'Status' && typeof parsed.code === 'number') {
      return new APIStatusError({ ...(parsed as Status), code: parsed.code || code });
    }
  } catch {
    // not JSON: fall through to a synthesised Status
  }
  const text = body.trim();
  return new APIStatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason: REASON_BY_CODE[code] ?? 'Unknown',
    message: text ? `the server responded with code ${code}: ${text.slice(0, 512)}` : `the server responded with code ${code}`,
  });
}

/** A Status carried in a watch ERROR event, as an error. */
export function errorFromStatus(status: Partial<Status>): APIStatusError {
  return new APIStatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code: status.code ?? 500,
    reason: status.reason ?? 'Unknown',
    message: status.message ?? 'watch error',
    ...(status.details ? { details: status.details } : {}),
  });
}

function codeOf(e: unknown): number | undefined {
  return e instanceof StatusError ? e.code : undefined;
}
function reasonOfErr(e: unknown): StatusReason | undefined {
  return e instanceof StatusError ? e.reason : undefined;
}

export function isNotFound(e: unknown): boolean {
  return reasonOfErr(e) === 'NotFound' || (codeOf(e) === 404 && reasonOfErr(e) === 'Unknown');
}
export function isConflict(e: unknown): boolean {
  return reasonOfErr(e) === 'Conflict';
}
export function isAlreadyExists(e: unknown): boolean {
  return reasonOfErr(e) === 'AlreadyExists';
}
/** 410: a watch or list resourceVersion that is too old (`Expired`, or `Gone` from older servers). */
export function isResourceExpired(e: unknown): boolean {
  return codeOf(e) === 410 || reasonOfErr(e) === 'Expired' || reasonOfErr(e) === 'Gone';
}
export function isMethodNotSupported(e: unknown): boolean {
  return reasonOfErr(e) === 'MethodNotAllowed';
}
export function isInvalid(e: unknown): boolean {
  return reasonOfErr(e) === 'Invalid';
}
export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}
