// Patch formats the API server applies beyond RFC 6902/7386: strategic merge patch.

export { strategicMergePatch } from './strategic.js';
export type { PatchSchema } from './strategic.js';
export { StrategicMergePatchError, strategicMergePatchStatus } from './errors.js';
export type { StrategicMergePatchErrorCode } from './errors.js';
