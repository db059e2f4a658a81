export { SummaryProvider, LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, type SummaryProviderOptions, type SummaryRuntime } from './summary.js';
export { fsUsage, parseMemInfo, parseProcStat, readMemInfo, readProcStat, rfc3339, type FsUsage, type HostPaths, type ProcStat } from './procfs.js';
export type * from './types.js';
