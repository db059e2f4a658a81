export { EventBroadcaster, referenceFor } from './recorder.js';
export type { EventRecorder, EventSource, EventType, BroadcasterOptions } from './recorder.js';
export { FakeRecorder } from './fake.js';
export type { RecordedEvent } from './fake.js';
