// CRI v1: the runtime contract (service.ts), message types, the gRPC client; the in-memory fake
// lives in ./testing/fake-runtime.ts.
export * from './types.js';
export * from './service.js';
export { CRIClient, CRI_API_VERSION, DEFAULT_TIMEOUT_MS, LOADER_OPTIONS, PROTO_PATH, loadRuntimePackage, normalizeEndpoint, type CRIClientOptions } from './client.js';
export { normalizeImageName } from './reference.js';
