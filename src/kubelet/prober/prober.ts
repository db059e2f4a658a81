// Runs one probe of a container and reports it (upstream pkg/kubelet/prober/prober.go): picks
// the handler, retries a probe that could not be run up to three times, and records the
// Unhealthy / ProbeWarning events on the container.
import type { Container, ObjectReference, Pod, PodStatus, Probe } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/index.js';
import type { Logger } from '../../logging/index.js';
import type { RuntimeService } from '../cri/index.js';
import { expandVars, mappingOf } from '../envvars/expand.js';
import { grpcProbe } from './grpc.js';
import { newRequestForHTTPGetAction, resolveContainerPort } from './http.js';
import { execProbe, httpProbe, tcpProbe, type ProbeOutcome } from './probes.js';
import { bareContainerID, type Result } from './results.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

/** probeType.String(): the word that starts every probe event. */
export const PROBE_TYPE_NAMES: Record<ProbeType, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

const MAX_PROBE_RETRIES = 3;

/** The API defaults of a probe (SetDefaults_Probe), for pods that reach us undefaulted. */
export function probeDefaults(p: Probe): Required<Pick<Probe, 'initialDelaySeconds' | 'periodSeconds' | 'timeoutSeconds' | 'successThreshold' | 'failureThreshold'>> {
  return {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds || 10,
    timeoutSeconds: p.timeoutSeconds || 1,
    successThreshold: p.successThreshold || 1,
    failureThreshold: p.failureThreshold || 3,
  };
}

export function probeSpecOf(container: Container, type: ProbeType): Probe | undefined {
  return type === 'liveness' ? container.livenessProbe : type === 'readiness' ? container.readinessProbe : container.startupProbe;
}

/** kubecontainer.GenerateContainerRef: the pod with a fieldPath naming the container. */
export function containerRef(pod: Pod, container: Container): ObjectReference {
  const name = container.name;
  const has = (list: readonly { name: string }[] | undefined) => (list ?? []).some((c) => c.name === name);
  const field = has(pod.spec?.containers) ? 'containers' : has(pod.spec?.initContainers) ? 'initContainers' : has(pod.spec?.ephemeralContainers) ? 'ephemeralContainers' : 'containers';
  const ref: ObjectReference = {
    kind: 'Pod',
    apiVersion: 'v1',
    name: pod.metadata?.name,
    namespace: pod.metadata?.namespace,
    uid: pod.metadata?.uid,
    resourceVersion: pod.metadata?.resourceVersion,
    fieldPath: `spec.${field}{${name}}`,
  };
  return ref;
}

export interface ProberOptions {
  runtime: Pick<RuntimeService, 'execSync'>;
  recorder: EventRecorder;
  logger: Logger;
}

export class Prober {
  constructor(private readonly opts: ProberOptions) {}

  /**
   * Probes once (with retries for probes that could not be run) and records events. Returns
   * success or failure, or `error` when the result should be thrown away.
   */
  async probe(type: ProbeType, pod: Pod, status: PodStatus, container: Container, containerID: string): Promise<{ result: Result; error?: Error }> {
    const spec = probeSpecOf(container, type);
    if (!spec) return { result: 'success' };
    const name = PROBE_TYPE_NAMES[type];
    let outcome: ProbeOutcome = { result: 'unknown', output: '' };
    for (let i = 0; i < MAX_PROBE_RETRIES; i++) {
      outcome = await this.runProbe(spec, pod, status, container, containerID);
      if (!outcome.error) break;
    }
    const ref = containerRef(pod, container);
    if (outcome.error) {
      this.opts.logger.debug({ pod: pod.metadata?.name, container: container.name, probeType: type, err: outcome.error.message }, 'Probe errored');
      this.opts.recorder.event(ref, 'Warning', 'Unhealthy', `${name} probe errored and resulted in ${outcome.result} state: ${outcome.error.message}`);
      return { result: 'failure', error: outcome.error };
    }
    switch (outcome.result) {
      case 'success':
        return { result: 'success' };
      case 'warning':
        this.opts.recorder.event(ref, 'Warning', 'ProbeWarning', `${name} probe warning: ${outcome.output}`);
        return { result: 'success' };
      case 'failure':
        this.opts.logger.debug({ pod: pod.metadata?.name, container: container.name, probeType: type, output: outcome.output }, 'Probe failed');
        this.opts.recorder.event(ref, 'Warning', 'Unhealthy', `${name} probe failed: ${outcome.output}`);
        return { result: 'failure' };
      default:
        return { result: 'failure' };
    }
  }

  private async runProbe(p: Probe, pod: Pod, status: PodStatus, container: Container, containerID: string): Promise<ProbeOutcome> {
    const { timeoutSeconds } = probeDefaults(p);
    const podIP = status.podIP ?? '';
    try {
      if (p.exec) {
        // ExpandContainerCommandOnlyStatic: only the literal values of the container's env.
        const mapping = mappingOf((container.env ?? []).map((e) => ({ name: e.name, value: e.value ?? '' })));
        const cmd = (p.exec.command ?? []).map((c) => expandVars(c, mapping));
        return await execProbe(this.opts.runtime, bareContainerID(containerID), cmd, timeoutSeconds);
      }
      if (p.httpGet) {
        const req = newRequestForHTTPGetAction(p.httpGet, container, podIP, 'probe');
        return await httpProbe(req, timeoutSeconds * 1000);
      }
      if (p.tcpSocket) {
        const port = resolveContainerPort(p.tcpSocket.port, container);
        return await tcpProbe(p.tcpSocket.host || podIP, port, timeoutSeconds * 1000);
      }
      if (p.grpc) {
        return await grpcProbe(podIP, p.grpc.service ?? '', p.grpc.port, timeoutSeconds);
      }
      const fullName = `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
      return { result: 'unknown', output: '', error: new Error(`missing probe handler for ${fullName}:${container.name}`) };
    } catch (err) {
      return { result: 'unknown', output: '', error: err instanceof Error ? err : new Error(String(err)) };
    }
  }
}
