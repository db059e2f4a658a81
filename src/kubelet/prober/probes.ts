// One probe attempt per handler type (upstream pkg/probe/{exec,http,tcp}): each returns the
// probe result, the output shown in the event, and an error when the probe could not be run at
// all (the prober retries those and throws the result away).
import { connect } from 'node:net';
import { isCRIError, type RuntimeService } from '../cri/index.js';
import { dialErrorText, doHTTPGet, goQuote, joinHostPort, MAX_BODY_BYTES, type HTTPGetRequest } from './http.js';

/** pkg/probe Result: warning counts as success but is reported with a ProbeWarning event. */
export type ProbeResult = 'success' | 'warning' | 'failure' | 'unknown';

export interface ProbeOutcome {
  result: ProbeResult;
  output: string;
  /** Set when the probe could not be run (result unknown); the attempt is retried and then discarded. */
  error?: Error;
}

/**
 * Exec probe (pkg/probe/exec + kuberuntime RunInContainer): exit 0 is success, any other exit a
 * failure with stdout+stderr (at most 10 KiB) as output; a CRI deadline is a failure
 * `command "<cmd>" timed out`; any other runtime error is an error.
 */
export async function execProbe(runtime: Pick<RuntimeService, 'execSync'>, containerID: string, cmd: string[], timeoutSeconds: number): Promise<ProbeOutcome> {
  let res;
  try {
    res = await runtime.execSync(containerID, cmd, timeoutSeconds);
  } catch (err) {
    if (isCRIError(err, 'DEADLINE_EXCEEDED')) return { result: 'failure', output: `command ${goQuote(cmd.join(' '))} timed out` };
    return { result: 'unknown', output: '', error: err instanceof Error ? err : new Error(String(err)) };
  }
  const output = Buffer.concat([res.stdout, res.stderr]).subarray(0, MAX_BODY_BYTES).toString('utf8');
  return { result: res.exitCode === 0 ? 'success' : 'failure', output };
}

/**
 * HTTP probe (DoHTTPProbe): 200–399 is success (a 3xx that was not followed is a warning), other
 * codes fail with `HTTP probe failed with statuscode: N` (never the body, upstream issue 99425),
 * transport errors and timeouts fail with Go's error text.
 */
export async function httpProbe(req: HTTPGetRequest, timeoutMs: number): Promise<ProbeOutcome> {
  let res;
  try {
    res = await doHTTPGet(req, { timeoutMs });
  } catch (err) {
    return { result: 'failure', output: err instanceof Error ? err.message : String(err) };
  }
  const body = res.body.toString('utf8');
  if (res.statusCode >= 200 && res.statusCode < 400) {
    if (res.statusCode >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${body}` };
    return { result: 'success', output: body };
  }
  return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.statusCode}` };
}

/** TCP probe (DoTCPProbe): a connection within the timeout is success; errors fail with Go's dial text. */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let done = false;
    const finish = (o: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ result: 'failure', output: `dial tcp ${joinHostPort(host, port)}: i/o timeout` }), Math.max(1, timeoutMs));
    socket.once('connect', () => finish({ result: 'success', output: '' }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ result: 'failure', output: dialErrorText(host, port, err) }));
  });
}
