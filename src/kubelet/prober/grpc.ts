// gRPC probe (upstream pkg/probe/grpc): one grpc.health.v1.Health/Check call over an insecure
// channel; SERVING is success, anything else a failure with upstream's wording. The two
// messages are encoded by hand (one string field, one enum field) so no .proto is needed.
import { Client, credentials, Metadata, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { goQuote, joinHostPort, KUBE_VERSION } from './http.js';
import type { ProbeOutcome } from './probes.js';

const CHECK_METHOD = '/grpc.health.v1.Health/Check';
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/** Go's names for gRPC codes (codes.Code.String()). */
const GO_CODE_NAMES: Record<number, string> = {
  0: 'OK', 1: 'Canceled', 2: 'Unknown', 3: 'InvalidArgument', 4: 'DeadlineExceeded', 5: 'NotFound', 6: 'AlreadyExists',
  7: 'PermissionDenied', 8: 'ResourceExhausted', 9: 'FailedPrecondition', 10: 'Aborted', 11: 'OutOfRange',
  12: 'Unimplemented', 13: 'Internal', 14: 'Unavailable', 15: 'DataLoss', 16: 'Unauthenticated',
};

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** HealthCheckRequest { string service = 1; } */
export function encodeHealthCheckRequest(service: string): Buffer {
  if (service === '') return Buffer.alloc(0);
  const s = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a, ...varint(s.length)]), s]);
}

/** HealthCheckResponse { ServingStatus status = 1; } → the status number (0 when absent). */
export function decodeHealthCheckResponse(buf: Buffer): number {
  let i = 0;
  let status = 0;
  const readVarint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      const v = readVarint();
      if (field === 1) status = v;
    } else if (wire === 2) {
      i += readVarint();
    } else if (wire === 1) {
      i += 8;
    } else if (wire === 5) {
      i += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return status;
}

/** Go's time.Duration String() for whole seconds: `1s`, `1m30s`, `1h0m0s`. */
export function goSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}

export async function grpcProbe(host: string, service: string, port: number, timeoutSeconds: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const timeoutMs = timeoutSeconds * 1000;
  const deadline = new Date(Date.now() + timeoutMs);
  const client = new Client(addr, credentials.createInsecure(), {
    'grpc.primary_user_agent': `kube-probe/${KUBE_VERSION}`,
    // One probe, one connection: never reuse a channel another probe opened.
    'grpc.use_local_subchannel_pool': 1,
  });
  try {
    const connected = await new Promise<Error | undefined>((resolve) => client.waitForReady(deadline, (err) => resolve(err)));
    if (connected) {
      return { result: 'failure', output: `timeout: failed to connect service ${goQuote(addr)} within ${goSeconds(timeoutSeconds)}: context deadline exceeded` };
    }
    const reply = await new Promise<{ err: ServiceError | null; res?: Buffer }>((resolve) => {
      client.makeUnaryRequest(
        CHECK_METHOD,
        (req: string) => encodeHealthCheckRequest(req),
        (b: Buffer) => b,
        service,
        new Metadata(),
        { deadline },
        (err, res) => resolve({ err, res }),
      );
    });
    if (reply.err) {
      const e = reply.err;
      if (e.code === grpcStatus.UNIMPLEMENTED) {
        return { result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${e.details}` };
      }
      if (e.code === grpcStatus.DEADLINE_EXCEEDED) {
        return { result: 'failure', output: `timeout: health rpc did not complete within ${goSeconds(timeoutSeconds)}` };
      }
      return { result: 'failure', output: `error: health rpc probe failed: rpc error: code = ${GO_CODE_NAMES[e.code] ?? `Code(${e.code})`} desc = ${e.details}` };
    }
    let st: number;
    try {
      st = decodeHealthCheckResponse(reply.res ?? Buffer.alloc(0));
    } catch (err) {
      return { result: 'failure', output: `error: health rpc probe failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (st !== 1) return { result: 'failure', output: `service unhealthy (responded with ${goQuote(SERVING_STATUS[st] ?? String(st))})` };
    return { result: 'success', output: 'service healthy' };
  } finally {
    client.close();
  }
}
