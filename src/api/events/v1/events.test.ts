import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { ErrorList } from '../../../machinery/field.js';
import { eventFromCore, eventToCore, kinds, validateEventCreate } from './index.js';

const msgs = (errs: ErrorList | undefined) => (errs ?? []).map((e) => e.toString());

const newEvent = () => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name: 'e1', namespace: 'default' },
  eventTime: '2024-01-01T00:00:00.000000Z',
  reportingController: 'example.com/ctl',
  reportingInstance: 'ctl-1',
  action: 'Scale',
  reason: 'Scaled',
  note: 'scaled up',
  type: 'Normal',
  regarding: { kind: 'Deployment', name: 'web', namespace: 'default' },
  deprecatedCount: 0,
});

test('events.k8s.io/v1 ↔ core/v1 conversion', () => {
  const ev = { ...newEvent(), deprecatedCount: 3, deprecatedSource: { component: 'x' }, series: { count: 2, lastObservedTime: '2024-01-01T00:00:01.000000Z' } };
  const core = eventToCore(ev);
  assert.equal(core.apiVersion, 'v1');
  assert.equal(core.message, 'scaled up');
  assert.equal(core.reportingComponent, 'example.com/ctl');
  assert.deepEqual(core.involvedObject, ev.regarding);
  assert.equal(core.count, 3);
  assert.deepEqual(core.source, { component: 'x' });
  assert.equal(core.note, undefined);
  assert.deepEqual(eventFromCore(core), ev);
});

test('strict validation only for events.k8s.io writes', () => {
  assert.deepEqual(msgs(kinds.Event!.validate!(newEvent())), []);
  const bad = { ...newEvent(), reportingController: '', type: 'Odd', deprecatedCount: 2, series: { count: 1 } };
  assert.deepEqual(msgs(kinds.Event!.validate!(bad)), [
    'reportingController: Required value',
    "reportingController: Invalid value: \"\": name part must be non-empty",
    "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    'series.count: Invalid value: "": should be at least 2',
    'series.lastObservedTime: Required value',
    'type: Invalid value: "": has invalid value: Odd',
    'count: Invalid value: "": needs to be unset',
  ]);
  // The same event written through core/v1 gets the legacy checks only.
  const core = eventToCore(bad) as CoreEvent;
  assert.deepEqual(msgs(validateEventCreate(core, 'v1')), msgs(validateEventCreate(core, 'events.k8s.io/v1')).slice(0, 3).map((m) => m.replace(/^reportingController/, 'reportingComponent')));
});
