// Service strategy: cluster IP and node port allocation (upstream pkg/registry/core/service/
// storage/alloc.go). Allocations are rebuilt from stored Services before the first write.

import type { Service as WireService } from 'kubernetes-types/core/v1.js';
import type { DeepMutable } from '../../../../util/mutable.js';
type Service = DeepMutable<WireService>;
import type { Strategy, StrategyContext } from '../../generic/strategy.js';
import type { ApiObject } from '../../../../api/scheme.js';
import { Path, invalid, type ErrorList } from '../../../../machinery/field.js';
import { toInvalidError } from '../../../../machinery/field.js';
import { AllocationError, IPAllocator, PortAllocator } from './allocator.js';
import { normalizeClusterIPs } from '../../../../api/core/v1/index.js';

export interface ServiceAllocators {
  ips: IPAllocator;
  ports: PortAllocator;
}

function needsNodePorts(svc: Service): boolean {
  const t = svc.spec?.type ?? 'ClusterIP';
  if (t === 'NodePort') return true;
  if (t === 'LoadBalancer') return svc.spec?.allocateLoadBalancerNodePorts !== false;
  return false;
}

function wantsClusterIP(svc: Service): boolean {
  return (svc.spec?.type ?? 'ClusterIP') !== 'ExternalName';
}

function usedIPs(svc: Service): string[] {
  return (svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
}

function usedPorts(svc: Service): number[] {
  const out: number[] = [];
  for (const p of svc.spec?.ports ?? []) if (p.nodePort) out.push(p.nodePort);
  if (svc.spec?.healthCheckNodePort) out.push(svc.spec.healthCheckNodePort);
  return out;
}

/**
 * `loadExisting` lists every stored Service; it runs once, before the first allocation, so a
 * restarted server never hands out an address or port that is in use.
 */
export function serviceStrategyOverrides(alloc: ServiceAllocators, loadExisting: () => Promise<Service[]>): Partial<Strategy> {
  let loaded: Promise<void> | undefined;
  const ensureLoaded = (): Promise<void> =>
    (loaded ??= loadExisting().then((all) => {
      for (const s of all) {
        for (const ip of usedIPs(s)) if (alloc.ips.contains(ip) && !alloc.ips.has(ip)) alloc.ips.allocate(ip);
        for (const p of usedPorts(s)) if (!alloc.ports.has(p) && p >= alloc.ports.min && p <= alloc.ports.max) alloc.ports.allocate(p);
      }
    }));

  const fail = (svc: Service, errs: ErrorList): never => {
    throw toInvalidError({ group: '', kind: 'Service' }, svc.metadata?.name ?? '', errs);
  };

  /** Allocates ports for `svc`, keeping the ones `old` already holds. Returns what was newly taken. */
  const allocatePorts = (svc: Service, old: Service | undefined, dryRun: boolean): number[] => {
    const taken: number[] = [];
    const oldPorts = new Set(old ? usedPorts(old) : []);
    const ports = svc.spec?.ports ?? [];
    try {
      for (let i = 0; i < ports.length; i++) {
        const p = ports[i]!;
        if (!needsNodePorts(svc)) {
          delete p.nodePort;
          continue;
        }
        if (p.nodePort) {
          if (oldPorts.has(p.nodePort)) continue;
          try {
            alloc.ports.allocate(p.nodePort, dryRun);
          } catch (e) {
            if (e instanceof AllocationError) fail(svc, [invalid(Path.root('spec', 'ports').at(i).child('nodePort'), p.nodePort, e.message)]);
            throw e;
          }
          taken.push(p.nodePort);
        } else {
          // Ports with the same number but other protocols share a node port (upstream).
          const same = ports.slice(0, i).find((q) => q.port === p.port && q.nodePort);
          if (same?.nodePort) p.nodePort = same.nodePort;
          else {
            p.nodePort = alloc.ports.allocateNext(dryRun);
            taken.push(p.nodePort);
          }
        }
      }
    } catch (e) {
      if (!dryRun) for (const t of taken) alloc.ports.release(t);
      throw e;
    }
    return taken;
  };

  return {
    async prepareForCreate(ctx: StrategyContext, obj: ApiObject) {
      const svc = obj as Service;
      delete svc.status;
      svc.status = { loadBalancer: {} };
      await ensureLoaded();
      const spec = (svc.spec ??= {});
      if (wantsClusterIP(svc)) {
        const requested = spec.clusterIPs?.[0] ?? spec.clusterIP;
        let ip: string;
        if (requested === 'None') ip = 'None';
        else if (requested) {
          try {
            alloc.ips.allocate(requested, ctx.dryRun);
          } catch (e) {
            if (e instanceof AllocationError) fail(svc, [invalid(Path.root('spec', 'clusterIPs'), [requested], e.message)]);
            throw e;
          }
          ip = requested;
        } else ip = alloc.ips.allocateNext(ctx.dryRun);
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
      try {
        allocatePorts(svc, undefined, ctx.dryRun);
      } catch (e) {
        if (!ctx.dryRun && spec.clusterIP && spec.clusterIP !== 'None') alloc.ips.release(spec.clusterIP);
        throw e;
      }
    },
    async prepareForUpdate(ctx: StrategyContext, obj: ApiObject, oldObj: ApiObject) {
      const svc = obj as Service;
      const old = oldObj as Service;
      svc.status = old.status;
      await ensureLoaded();
      const spec = (svc.spec ??= {});
      // An unset clusterIP on update keeps the allocated one (upstream patchAllocatedValues).
      if (wantsClusterIP(svc) && wantsClusterIP(old)) {
        if (!spec.clusterIP && old.spec?.clusterIP) spec.clusterIP = old.spec.clusterIP;
        if (!spec.clusterIPs?.length && old.spec?.clusterIPs) spec.clusterIPs = old.spec.clusterIPs;
        spec.ipFamilies ??= old.spec?.ipFamilies;
        spec.ipFamilyPolicy ??= old.spec?.ipFamilyPolicy;
      } else if (wantsClusterIP(svc) && !spec.clusterIP) {
        const ip = alloc.ips.allocateNext(ctx.dryRun);
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
      normalizeClusterIPs(svc as never, old as never);
      // Keep node ports the user left out when the port still exists.
      if (needsNodePorts(svc) && needsNodePorts(old)) {
        for (const p of spec.ports ?? []) {
          if (p.nodePort) continue;
          const prev = old.spec?.ports?.find((q) => (q.name ?? '') === (p.name ?? '') && q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
          if (prev?.nodePort) p.nodePort = prev.nodePort;
        }
      }
      allocatePorts(svc, old, ctx.dryRun);
      if (!ctx.dryRun) {
        const keep = new Set(usedPorts(svc));
        for (const p of usedPorts(old)) if (!keep.has(p)) alloc.ports.release(p);
        if (!wantsClusterIP(svc)) for (const ip of usedIPs(old)) alloc.ips.release(ip);
      }
    },
    afterDelete(obj: ApiObject) {
      const svc = obj as Service;
      for (const ip of usedIPs(svc)) alloc.ips.release(ip);
      for (const p of usedPorts(svc)) alloc.ports.release(p);
    },
  };
}
