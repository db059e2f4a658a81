// Probes (upstream pkg/kubelet/prober and pkg/probe): the manager the kubelet drives, and the
// HTTP GET client the lifecycle hooks share.
export { ProbeManager, type ProbeManagerOptions } from './prober-manager.js';
export { Prober, PROBE_TYPE_NAMES, containerRef, probeDefaults, type ProbeType, type ProberOptions } from './prober.js';
export { ResultsManager, bareContainerID, type Result, type ResultUpdate } from './results.js';
export { ProbeWorker, type Timers } from './worker.js';
export { execProbe, httpProbe, tcpProbe, type ProbeOutcome, type ProbeResult } from './probes.js';
export { grpcProbe } from './grpc.js';
export {
  HTTPGetError,
  KUBE_VERSION,
  MAX_BODY_BYTES,
  canonicalHeaderKey,
  doHTTPGet,
  joinHostPort,
  newRequestForHTTPGetAction,
  resolveContainerPort,
  type HTTPGetRequest,
  type HTTPGetResponse,
} from './http.js';
