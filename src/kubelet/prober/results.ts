// Probe results by container (upstream pkg/kubelet/prober/results): the latest result of one
// probe type per container ID, and an update to listeners only when a result changes.

/** results.Result: unknown is what a startup probe holds before its first verdict. */
export type Result = 'success' | 'failure' | 'unknown';

export interface ResultUpdate {
  containerID: string;
  result: Result;
  podUID: string;
}

interface Entry {
  result: Result;
  podUID: string;
  containerName: string;
}

/** Container IDs are compared without their `containerd://` scheme. */
export function bareContainerID(id: string): string {
  const i = id.indexOf('://');
  return i >= 0 ? id.slice(i + 3) : id;
}

export class ResultsManager {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly onUpdate: (u: ResultUpdate) => void) {}

  get(containerID: string): Result | undefined {
    return this.entries.get(bareContainerID(containerID))?.result;
  }

  entry(containerID: string): Entry | undefined {
    return this.entries.get(bareContainerID(containerID));
  }

  /** Stores the result; listeners hear of it only when it differs from the stored one. */
  set(containerID: string, result: Result, podUID: string, containerName: string): void {
    const key = bareContainerID(containerID);
    const prev = this.entries.get(key);
    this.entries.set(key, { result, podUID, containerName });
    if (prev?.result !== result) this.onUpdate({ containerID, result, podUID });
  }

  remove(containerID: string): void {
    this.entries.delete(bareContainerID(containerID));
  }
}
