// A recorder for tests (client-go record.FakeRecorder): keeps `"<type> <reason> <message>"`.

import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../rest/resource.js';
import { referenceFor, type EventRecorder, type EventType } from './recorder.js';

export interface RecordedEvent {
  object: ObjectReference;
  type: EventType;
  reason: string;
  message: string;
}

export class FakeRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];

  event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void {
    this.events.push({ object: referenceFor(obj), type, reason, message });
  }

  /** `"Normal SuccessfulCreate Created pod: x"` per event, in order. */
  lines(): string[] {
    return this.events.map((e) => `${e.type} ${e.reason} ${e.message}`);
  }
}
