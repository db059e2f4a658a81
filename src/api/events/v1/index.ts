// events.k8s.io/v1 Event: another shape of the core/v1 Event that is stored. Conversion follows
// pkg/apis/events/v1 (note↔message, regarding↔involvedObject, deprecated* ↔ the old fields);
// validation is upstream ValidateEventCreate/Update, whose strict rules apply only to writes
// made through events.k8s.io (core/v1 writes get the legacy checks alone).

import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event as EventsEvent } from 'kubernetes-types/events/v1.js';
import type { ApiObject, GroupVersionKinds } from '../../scheme.js';
import { Path, invalid, required, type ErrorList } from '../../../machinery/field.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../../machinery/validation.js';
import { clone, deepEqual } from '../../apps/v1/util.js';

/** Renames between events.k8s.io/v1 (left) and core/v1 (right). */
const RENAMES: readonly (readonly [string, string])[] = [
  ['note', 'message'],
  ['regarding', 'involvedObject'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(obj: ApiObject, apiVersion: string, pairs: readonly (readonly [string, string])[]): ApiObject {
  const out = clone(obj);
  out.apiVersion = apiVersion;
  out.kind = 'Event';
  const moved: Record<string, unknown> = {};
  for (const [from, to] of pairs) {
    if (from in out) {
      moved[to] = out[from];
      delete out[from];
    }
  }
  Object.assign(out, moved);
  return out;
}

export function eventToCore(ev: ApiObject): ApiObject {
  const out = rename(ev, 'v1', RENAMES);
  // core/v1 involvedObject is required on the wire; an events.k8s.io event may omit regarding.
  out.involvedObject ??= {};
  return out;
}

export function eventFromCore(ev: ApiObject): ApiObject {
  const out = rename(
    ev,
    'events.k8s.io/v1',
    RENAMES.map(([a, b]) => [b, a] as const),
  );
  if (out.regarding && Object.keys(out.regarding).length === 0) delete out.regarding;
  return out;
}

const LIMIT_128 = 128;
const NOTE_LIMIT = 1024;

const isSet = (t: unknown) => t !== undefined && t !== null && t !== '';

/**
 * Upstream legacyValidateEvent. Field paths use core field names except reportingController,
 * which upstream calls reportingComponent only for core/v1 requests.
 */
function legacyValidateEvent(ev: CoreEvent, requestGroupVersion: string): ErrorList {
  const errs: ErrorList = [];
  const rcName = requestGroupVersion === 'v1' ? 'reportingComponent' : 'reportingController';
  const ns = ev.metadata?.namespace ?? '';
  const invNs = ev.involvedObject?.namespace ?? '';
  const mismatch = () => invalid(Path.root('involvedObject', 'namespace'), invNs, 'does not match event.namespace');
  if (!isSet(ev.eventTime)) {
    if (invNs === '') {
      if (ns !== '' && ns !== 'default') errs.push(mismatch());
    } else if (ns !== invNs) errs.push(mismatch());
  } else {
    if (invNs === '' && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch());
    const rc = ev.reportingComponent ?? '';
    if (rc === '') errs.push(required(Path.root(rcName), ''));
    for (const msg of isQualifiedName(rc)) errs.push(invalid(Path.root(rcName), rc, msg));
    const ri = ev.reportingInstance ?? '';
    if (ri === '') errs.push(required(Path.root('reportingInstance'), ''));
    if (ri.length > LIMIT_128) errs.push(invalid(Path.root('reportingInstance'), '', `can have at most ${LIMIT_128} characters`));
    const action = ev.action ?? '';
    if (action === '') errs.push(required(Path.root('action'), ''));
    if (action.length > LIMIT_128) errs.push(invalid(Path.root('action'), '', `can have at most ${LIMIT_128} characters`));
    const reason = ev.reason ?? '';
    if (reason === '') errs.push(required(Path.root('reason'), ''));
    if (reason.length > LIMIT_128) errs.push(invalid(Path.root('reason'), '', `can have at most ${LIMIT_128} characters`));
    if ((ev.message ?? '').length > NOTE_LIMIT) errs.push(invalid(Path.root('message'), '', `can have at most ${NOTE_LIMIT} characters`));
  }
  for (const msg of isDNS1123Subdomain(ns)) errs.push(invalid(Path.root('namespace'), ns, msg));
  return errs;
}

function validateSeries(ev: CoreEvent): ErrorList {
  const errs: ErrorList = [];
  if (ev.series) {
    if ((ev.series.count ?? 0) < 2) errs.push(invalid(Path.root('series', 'count'), '', 'should be at least 2'));
    if (!isSet(ev.series.lastObservedTime)) errs.push(required(Path.root('series', 'lastObservedTime'), ''));
  }
  return errs;
}

/** The core/v1 and the deprecated events.k8s.io/v1beta1 API skip the strict checks. */
const isLegacyRequest = (gv: string) => gv === 'v1' || gv === 'events.k8s.io/v1beta1';

/** Upstream ValidateEventCreate on the stored (core/v1) shape; `requestGroupVersion` is `v1` or `events.k8s.io/v1`. */
export function validateEventCreate(ev: CoreEvent, requestGroupVersion: string): ErrorList {
  const errs = legacyValidateEvent(ev, requestGroupVersion);
  if (isLegacyRequest(requestGroupVersion)) return errs;
  errs.push(...validateSeries(ev));
  if (!isSet(ev.eventTime)) errs.push(required(Path.root('eventTime'), ''));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(invalid(Path.root('type'), '', `has invalid value: ${ev.type ?? ''}`));
  if (isSet(ev.firstTimestamp)) errs.push(invalid(Path.root('firstTimestamp'), '', 'needs to be unset'));
  if (isSet(ev.lastTimestamp)) errs.push(invalid(Path.root('lastTimestamp'), '', 'needs to be unset'));
  if ((ev.count ?? 0) !== 0) errs.push(invalid(Path.root('count'), '', 'needs to be unset'));
  if (isSet(ev.source?.component) || isSet(ev.source?.host)) errs.push(invalid(Path.root('source'), '', 'needs to be unset'));
  return errs;
}

const IMMUTABLE: readonly (keyof CoreEvent)[] = [
  'involvedObject',
  'reason',
  'message',
  'source',
  'firstTimestamp',
  'lastTimestamp',
  'count',
  'type',
  'eventTime',
  'action',
  'related',
  'reportingComponent',
  'reportingInstance',
];

/** Upstream ValidateEventUpdate on the stored shape. */
export function validateEventUpdate(ev: CoreEvent, old: CoreEvent, requestGroupVersion: string): ErrorList {
  const errs = legacyValidateEvent(ev, requestGroupVersion);
  if (isLegacyRequest(requestGroupVersion)) return errs;
  if (!deepEqual(ev.series, old.series)) errs.push(...validateSeries(ev));
  for (const f of IMMUTABLE) {
    if (!deepEqual(ev[f], old[f])) {
      // Upstream names the internal field, which is reportingController.
      const name = f === 'reportingComponent' ? 'reportingController' : f;
      errs.push(invalid(Path.root(name), ev[f] ?? null, 'field is immutable'));
    }
  }
  return errs;
}

export const kinds: GroupVersionKinds = {
  Event: {
    // Events of the new API validate strictly; these run on the events.k8s.io shape.
    validate: (ev: EventsEvent) => validateEventCreate(eventToCore(ev as ApiObject) as CoreEvent, 'events.k8s.io/v1'),
    validateUpdate: (ev: EventsEvent, old: EventsEvent) =>
      validateEventUpdate(eventToCore(ev as ApiObject) as CoreEvent, eventToCore(old as ApiObject) as CoreEvent, 'events.k8s.io/v1'),
    conversion: {
      hub: { group: '', version: 'v1', kind: 'Event' },
      toHub: eventToCore,
      fromHub: eventFromCore,
    },
  },
};
