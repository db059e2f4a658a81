// A pod's quality-of-service class (upstream pkg/apis/core/helper/qos GetPodQOS): BestEffort
// without cpu/memory requests or limits; Guaranteed when every container has cpu and memory
// limits and the requests equal them; Burstable otherwise. Quantities compare by value
// ("1" equals "1000m"); zero quantities and other resources do not count.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../../machinery/quantity.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/**
 * Upstream qos.ComputePodQOS (pkg/apis/core/v1/helper/qos): only cpu and memory count, zero
 * quantities are ignored, requests and limits are summed over all containers; Guaranteed needs
 * cpu and memory limits on every container and equal summed requests and limits.
 */
export function computeQOSClass(pod: Pod): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const addTo = (m: Map<string, Quantity>, name: string, q: Quantity): void => {
    const cur = m.get(name);
    m.set(name, cur ? cur.add(q) : q);
  };
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const [name, v] of Object.entries(c.resources?.requests ?? {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = Quantity.tryParse(String(v));
      if (q && q.sign() > 0) addTo(requests, name, q);
    }
    const found = new Set<string>();
    for (const [name, v] of Object.entries(c.resources?.limits ?? {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = Quantity.tryParse(String(v));
      if (q && q.sign() > 0) {
        found.add(name);
        addTo(limits, name, q);
      }
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || lim.cmp(req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
