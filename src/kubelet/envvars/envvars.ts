// Service environment variables (upstream pkg/kubelet/envvars/envvars.go): for each service
// with a cluster IP, `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT[_<PORTNAME>]` and the
// Docker-link style `<NAME>_PORT…` variables.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EnvVar } from './downward.js';

/** IsServiceIPSet: headless (`None`) and ExternalName (no IP) services get no variables. */
export function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/** `my-svc` → `MY_SVC`. */
export function makeEnvVariableName(s: string): string {
  return s.replaceAll('-', '_').toUpperCase();
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function makeLinkVariables(service: Service): EnvVar[] {
  const prefix = makeEnvVariableName(service.metadata?.name ?? '');
  const ip = service.spec?.clusterIP ?? '';
  const out: EnvVar[] = [];
  (service.spec?.ports ?? []).forEach((sp, i) => {
    const protocol = sp.protocol || 'TCP';
    const lower = protocol.toLowerCase();
    const hostPort = joinHostPort(ip, sp.port);
    // Docker special-cases the first port.
    if (i === 0) out.push({ name: `${prefix}_PORT`, value: `${lower}://${hostPort}` });
    const portPrefix = `${prefix}_PORT_${sp.port}_${protocol.toUpperCase()}`;
    out.push(
      { name: portPrefix, value: `${lower}://${hostPort}` },
      { name: `${portPrefix}_PROTO`, value: lower },
      { name: `${portPrefix}_PORT`, value: String(sp.port) },
      { name: `${portPrefix}_ADDR`, value: ip },
    );
  });
  return out;
}

/** FromServices: the variables for the given services, in their order. */
export function fromServices(services: readonly Service[]): EnvVar[] {
  const out: EnvVar[] = [];
  for (const service of services) {
    const ports = service.spec?.ports ?? [];
    if (!isServiceIPSet(service) || ports.length === 0) continue;
    const name = makeEnvVariableName(service.metadata?.name ?? '');
    out.push({ name: `${name}_SERVICE_HOST`, value: service.spec!.clusterIP! });
    out.push({ name: `${name}_SERVICE_PORT`, value: String(ports[0]!.port) });
    // Only the first port may be unnamed (validation).
    for (const sp of ports) if (sp.name) out.push({ name: `${name}_SERVICE_PORT_${makeEnvVariableName(sp.name)}`, value: String(sp.port) });
    out.push(...makeLinkVariables(service));
  }
  return out;
}
