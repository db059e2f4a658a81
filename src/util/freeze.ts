// Deep freezing for objects shared between readers (the watch cache's objects, watch events
// shared by a thread's informers): a write into one throws where it happens.

/** Freezes `value` and everything reachable from it; returns it. Already frozen parts are not walked again. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
