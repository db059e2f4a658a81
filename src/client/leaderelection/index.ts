// Leader election for components that run in several copies (client-go tools/leaderelection).

export { LeaderElector, LeaderElectionError, microTime } from './leader-elector.js';
export type { LeaderElectorOptions, LeaderElectionRecord } from './leader-elector.js';
