// Plugin results (upstream framework/interface.go Status and Code) and the unschedulable-pod
// error (framework/types.go FitError), whose text users read in `kubectl describe pod`.

export type Code = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Wait' | 'Skip' | 'Pending';

/** What one plugin says; `null` from a plugin means Success. */
export class Status {
  /** The plugin that returned it (set by the framework). */
  plugin = '';

  constructor(
    readonly code: Code,
    readonly reasons: readonly string[] = [],
    /** The cause, for Error. */
    readonly err?: Error,
  ) {}

  static error(err: unknown): Status {
    const e = err instanceof Error ? err : new Error(String(err));
    return new Status('Error', [e.message], e);
  }

  static unschedulable(...reasons: string[]): Status {
    return new Status('Unschedulable', reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status('UnschedulableAndUnresolvable', reasons);
  }

  static skip(): Status {
    return new Status('Skip');
  }

  isSuccess(): boolean {
    return this.code === 'Success';
  }

  /** Unschedulable or UnschedulableAndUnresolvable (upstream IsRejected also counts Pending). */
  isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable' || this.code === 'Pending';
  }

  message(): string {
    return this.reasons.join(', ');
  }

  withPlugin(name: string): this {
    this.plugin = name;
    return this;
  }
}

export function isSuccess(s: Status | null | undefined): boolean {
  return !s || s.code === 'Success';
}

/** Node name → why the node was rejected, plus one status for every node not listed. */
export class NodeToStatus {
  private readonly map = new Map<string, Status>();
  /** For nodes absent from the map (upstream's AbsentNodesStatus): set when PreFilter rejected all. */
  absent: Status = Status.unresolvable();

  set(node: string, s: Status): void {
    this.map.set(node, s);
  }

  get(node: string): Status {
    return this.map.get(node) ?? this.absent;
  }

  has(node: string): boolean {
    return this.map.has(node);
  }

  get size(): number {
    return this.map.size;
  }

  entries(): IterableIterator<[string, Status]> {
    return this.map.entries();
  }
}

/** Why a pod did not fit, collected during one scheduling cycle. */
export interface Diagnosis {
  nodeToStatus: NodeToStatus;
  /** Plugins that rejected the pod (for requeueing on the events they care about). */
  unschedulablePlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new NodeToStatus(), unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
}

/** "0/X nodes are available" */
export function noNodeAvailableMsg(numAllNodes: number): string {
  return `0/${numAllNodes} nodes are available`;
}

/**
 * The pod fits no node (upstream FitError). Its message is
 * `0/X nodes are available: <PreFilterMsg or sorted "count reason" list>. <PostFilterMsg>`
 */
export class FitError extends Error {
  readonly code = 'FitError';

  constructor(
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {
    super('');
    this.name = 'FitError';
    // The message follows the diagnosis, which PostFilter still extends after construction.
    Object.defineProperty(this, 'message', { get: () => fitErrorMessage(this.numAllNodes, this.diagnosis), configurable: true, enumerable: false });
  }
}

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `${noNodeAvailableMsg(numAllNodes)}:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    // When PreFilter passed, every rejected node has its own status; count each reason.
    const reasons = new Map<string, number>();
    for (const [, s] of d.nodeToStatus.entries()) for (const r of s.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    const absent = numAllNodes - d.nodeToStatus.size;
    if (absent > 0) for (const r of d.nodeToStatus.absent.reasons) reasons.set(r, (reasons.get(r) ?? 0) + absent);
    const parts = [...reasons].map(([r, n]) => `${n} ${r}`);
    // Go's sort.Strings: byte order.
    parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** "no nodes available to schedule pods" (upstream ErrNoNodesAvailable). */
export class NoNodesAvailableError extends Error {
  readonly code = 'NoNodesAvailable';
  constructor() {
    super('no nodes available to schedule pods');
    this.name = 'NoNodesAvailableError';
  }
}
