// postStart / preStop hook handlers (upstream pkg/kubelet/lifecycle/handlers.go): exec through
// the runtime, httpGet with the probes' HTTP client (a 200–599 answer is fine: upstream checks
// only that the request went through), and sleep. The result is upstream's error message, which
// the runtime puts into the FailedPostStartHook / FailedPreStopHook event.
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/index.js';
import type { Logger } from '../../logging/index.js';
import type { RuntimeService } from '../cri/index.js';
import { bareContainerID, doHTTPGet, HTTPGetError, newRequestForHTTPGetAction, type HTTPGetRequest } from '../prober/index.js';

export interface HookRunnerOptions {
  runtime: Pick<RuntimeService, 'execSync'>;
  logger: Logger;
  /** Receives the LifecycleHTTPFallback warning when an HTTPS hook is answered over HTTP. */
  recorder?: EventRecorder;
  /** For tests: the sleep action's timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** format.Pod: `name_namespace(uid)`. */
export function formatPod(pod: Pod): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
}

/** Go's %q: a double-quoted string with escapes. */
function quote(s: string): string {
  return JSON.stringify(s);
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class HookRunner {
  constructor(private readonly opts: HookRunnerOptions) {}

  /**
   * Runs one hook handler and resolves with upstream's failure message, or undefined when it
   * succeeded. `signal` ends a sleep or an HTTP request early (the container is being killed).
   */
  async run(pod: Pod, container: Container, containerID: string, handler: LifecycleHandler, podIP: string, signal?: AbortSignal): Promise<string | undefined> {
    const log = this.opts.logger;
    if (handler.exec) {
      const cmd = [...(handler.exec.command ?? [])];
      let err: string | undefined;
      let output = '';
      try {
        // No timeout: upstream passes 0 (the caller bounds preStop by the grace period).
        const res = await this.opts.runtime.execSync(bareContainerID(containerID), cmd, 0, signal ? { signal } : undefined);
        output = Buffer.concat([res.stdout, res.stderr]).toString('utf8');
        if (res.exitCode !== 0) err = `command '${cmd.join(' ')}' exited with ${res.exitCode}: ${res.stderr.toString('utf8')}`;
      } catch (e) {
        err = e instanceof Error ? e.message : String(e);
      }
      if (err === undefined) return undefined;
      log.debug({ pod: pod.metadata?.name, container: container.name, err }, 'Exec lifecycle hook failed');
      return `Exec lifecycle hook ([${cmd.join(' ')}]) for Container ${quote(container.name)} in Pod ${quote(formatPod(pod))} failed - error: ${err}, message: ${quote(output)}`;
    }
    if (handler.httpGet) {
      const err = await this.runHTTP(pod, container, handler, podIP, signal);
      if (err === undefined) return undefined;
      log.debug({ pod: pod.metadata?.name, container: container.name, err }, 'HTTP lifecycle hook failed');
      return `HTTP lifecycle hook (${handler.httpGet.path ?? ''}) for Container ${quote(container.name)} in Pod ${quote(formatPod(pod))} failed - error: ${err}`;
    }
    if (handler.sleep) {
      const seconds = handler.sleep.seconds;
      try {
        await (this.opts.sleep ?? defaultSleep)(seconds * 1000, signal);
        return undefined;
      } catch {
        return `Sleep lifecycle hook (${seconds}) for Container ${quote(container.name)} in Pod ${quote(formatPod(pod))} failed - error: container terminated before sleep hook finished`;
      }
    }
    return `Cannot run handler: invalid handler: ${JSON.stringify(handler)}`;
  }

  /** runHTTPHandler: an error text when the request failed, undefined when any response came back. */
  private async runHTTP(pod: Pod, container: Container, handler: LifecycleHandler, podIP: string, signal?: AbortSignal): Promise<string | undefined> {
    const action = handler.httpGet!;
    if (!action.host && !podIP) return 'failed to find networking container: the pod has no IP';
    let req: HTTPGetRequest;
    try {
      req = newRequestForHTTPGetAction(action, container, podIP, 'lifecycle');
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    try {
      await doHTTPGet(req, { timeoutMs: 0, signal });
      return undefined;
    } catch (e) {
      if (!(e instanceof HTTPGetError) || e.code !== 'http-response-to-https') return e instanceof Error ? e.message : String(e);
      // An HTTPS hook answered by a plain HTTP server: retry over HTTP without credentials.
      const url = new URL(req.url.href);
      url.protocol = 'http:';
      const retry: HTTPGetRequest = { url, display: req.display?.replace(/^https:/, 'http:'), headers: req.headers.filter(([k]) => k !== 'Authorization') };
      try {
        await doHTTPGet(retry, { timeoutMs: 0, signal });
      } catch {
        return e.message;
      }
      this.opts.recorder?.event(pod, 'Warning', 'LifecycleHTTPFallback', `request to HTTPS lifecycle hook ${url.host} got HTTP response, retry with HTTP succeeded`);
      return undefined;
    }
  }
}
