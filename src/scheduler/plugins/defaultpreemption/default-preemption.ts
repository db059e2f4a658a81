// DefaultPreemption (upstream plugins/defaultpreemption + framework/preemption): when a pod fits
// no node, find nodes where removing lower-priority pods would let it fit, keep as few victims
// as possible (reprieving pods whose PodDisruptionBudget would be violated first), pick the
// node by upstream's criteria (fewest PDB violations, lowest highest-priority victim, lowest
// priority sum, fewest victims, latest start), evict the victims and nominate the node.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Lister } from '../../../client/cache/informer.js';
import type { KubeObject } from '../../../client/rest/resource.js';
import { isNotFound } from '../../../client/rest/errors.js';
import { PODDISRUPTIONBUDGETS, PODS } from '../../../client/resources.js';
import { selectorFromLabelSelector, type Selector } from '../../../machinery/labels.js';
import type { CycleState, Handle, PostFilterPlugin, PostFilterResult } from '../../framework/interface.js';
import { podPriority } from '../../framework/helpers.js';
import { fitErrorMessage, newDiagnosis, NodeToStatus, Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NAME = 'DefaultPreemption';
export const MSG_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const MSG_NO_VICTIMS = 'No preemption victims found for incoming pod';
/** Upstream DefaultPreemptionArgs: MinCandidateNodesPercentage 10, MinCandidateNodesAbsolute 100. */
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;
/** Dry runs between yields to the event loop. */
const DRY_RUN_CHUNK = 64;

type PDB = PodDisruptionBudget & KubeObject;

export interface Victims {
  pods: PodInfo[];
  numPDBViolations: number;
}

export interface Candidate {
  nodeName: string;
  victims: Victims;
}

export interface CompiledPDB {
  namespace: string;
  selector: Selector;
  disrupted: Set<string>;
  allowed: number;
}

function startTime(p: Pod): number {
  const t = Date.parse(p.status?.startTime ?? p.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Upstream MoreImportantPod: higher priority, then earlier start. */
function moreImportant(a: Pod, b: Pod): number {
  const d = podPriority(b) - podPriority(a);
  if (d !== 0) return d;
  return startTime(a) - startTime(b);
}

function isTerminatingByPreemption(p: Pod): boolean {
  if (!p.metadata?.deletionTimestamp) return false;
  return (p.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler');
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = NAME;
  private readonly pdbs: Lister<PDB>;

  constructor(private readonly h: Handle) {
    this.pdbs = h.informers.forResource<PDB>(PODDISRUPTIONBUDGETS).lister();
  }

  async postFilter(state: CycleState, pod: PodInfo, m: NodeToStatus, signal: AbortSignal): Promise<{ status: Status | null; result?: PostFilterResult }> {
    const r = await this.preempt(state, pod, m, signal);
    if (r.status && r.status.message()) return { status: new Status(r.status.code, [`preemption: ${r.status.message()}`], r.status.err), result: r.result };
    return r;
  }

  /** Upstream PodEligibleToPreemptOthers. */
  eligible(pod: Pod, m: NodeToStatus): { ok: boolean; msg: string } {
    if (pod.spec?.preemptionPolicy === 'Never') return { ok: false, msg: 'not eligible due to preemptionPolicy=Never.' };
    const nom = pod.status?.nominatedNodeName;
    if (nom) {
      if (m.get(nom).code === 'UnschedulableAndUnresolvable') return { ok: true, msg: '' };
      const ni = this.h.nodes.get(nom);
      if (ni) {
        const prio = podPriority(pod);
        for (const p of ni.pods) if (podPriority(p.pod) < prio && isTerminatingByPreemption(p.pod)) return { ok: false, msg: 'not eligible due to a terminating pod on the nominated node.' };
      }
    }
    return { ok: true, msg: '' };
  }

  async preempt(state: CycleState, pod: PodInfo, m: NodeToStatus, signal: AbortSignal): Promise<{ status: Status | null; result?: PostFilterResult }> {
    const el = this.eligible(pod.pod, m);
    if (!el.ok) return { status: Status.unschedulable(el.msg) };
    const all = this.h.nodes.list();
    if (all.length === 0) return { status: Status.error(new Error('no nodes available')) };
    const statuses = new NodeToStatus();
    const potential: NodeInfo[] = [];
    for (const ni of all) {
      if (m.get(ni.name).code === 'UnschedulableAndUnresolvable') statuses.set(ni.name, Status.unresolvable(MSG_NOT_HELPFUL));
      else potential.push(ni);
    }
    const noFit = (): { status: Status; result: PostFilterResult } => {
      const d = newDiagnosis();
      for (const [n, s] of statuses.entries()) d.nodeToStatus.set(n, s);
      return { status: Status.unschedulable(fitErrorMessage(all.length, d)), result: { nominatedNodeName: '' } };
    };
    if (potential.length === 0) return noFit();
    const candidates = await this.dryRun(state, pod, potential, statuses, signal);
    if (candidates.length === 0) return noFit();
    const best = pickOneNodeForPreemption(candidates);
    await this.prepareCandidate(best, pod);
    return { status: null, result: { nominatedNodeName: best.nodeName } };
  }

  private compilePDBs(): CompiledPDB[] {
    const out: CompiledPDB[] = [];
    for (const pdb of this.pdbs.list()) {
      let selector: Selector;
      try {
        selector = selectorFromLabelSelector(pdb.spec?.selector);
      } catch {
        continue;
      }
      out.push({ namespace: pdb.metadata?.namespace ?? '', selector, disrupted: new Set(Object.keys(pdb.status?.disruptedPods ?? {})), allowed: pdb.status?.disruptionsAllowed ?? 0 });
    }
    return out;
  }

  private async dryRun(state: CycleState, pod: PodInfo, potential: NodeInfo[], statuses: NodeToStatus, signal: AbortSignal): Promise<Candidate[]> {
    let num = Math.floor((potential.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100);
    if (num < MIN_CANDIDATE_NODES_ABSOLUTE) num = MIN_CANDIDATE_NODES_ABSOLUTE;
    if (num > potential.length) num = potential.length;
    const offset = Math.floor(Math.random() * potential.length);
    const pdbs = this.compilePDBs();
    const nonViolating: Candidate[] = [];
    const violating: Candidate[] = [];
    for (let i = 0; i < potential.length; i++) {
      if (i > 0 && i % DRY_RUN_CHUNK === 0) {
        await new Promise<void>((r) => setImmediate(r));
        if (signal.aborted) break;
      }
      const ni = potential[(offset + i) % potential.length]!;
      const r = this.selectVictimsOnNode(state.clone(), pod, ni, pdbs);
      if ('status' in r) {
        statuses.set(ni.name, r.status);
        continue;
      }
      if (r.pods.length === 0) continue;
      (r.numPDBViolations === 0 ? nonViolating : violating).push({ nodeName: ni.name, victims: r });
      if (nonViolating.length > 0 && nonViolating.length + violating.length >= num) break;
    }
    return [...nonViolating, ...violating];
  }

  /** Upstream SelectVictimsOnNode. */
  selectVictimsOnNode(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo, pdbs: CompiledPDB[]): Victims | { status: Status } {
    const fw = this.h.framework();
    const ni = nodeInfo.clone();
    const prio = podPriority(pod.pod);
    const potential: PodInfo[] = [];
    for (const p of [...ni.pods]) {
      if (podPriority(p.pod) >= prio) continue;
      potential.push(p);
      ni.removePod(p.uid);
      const s = fw.runPreFilterRemovePod(state, pod, p, ni);
      if (s) return { status: s };
    }
    if (potential.length === 0) return { status: Status.unresolvable(MSG_NO_VICTIMS) };
    const nominated = this.h.nominator.nominatedPodsForNode(ni.name);
    // The filter status with the node as it is now: null when the pod fits.
    const unfit = (): Status | null => {
      const extra = nominated.filter((n) => n.uid !== pod.uid && podPriority(n.pod) >= prio);
      if (extra.length === 0) return fw.runFilterPlugins(state, pod, ni);
      const c = ni.clone();
      const st = state.clone();
      for (const n of extra) {
        c.addPodInfo(n);
        fw.runPreFilterAddPod(st, pod, n, c);
      }
      return fw.runFilterPlugins(st, pod, c) ?? fw.runFilterPlugins(state, pod, ni);
    };
    const s = unfit();
    if (s) return { status: s };
    potential.sort((a, b) => moreImportant(a.pod, b.pod));
    const { violating, nonViolating } = splitByPDBViolation(potential, pdbs);
    const victims: PodInfo[] = [];
    let numPDBViolations = 0;
    const reprieve = (p: PodInfo): boolean => {
      ni.addPodInfo(p);
      fw.runPreFilterAddPod(state, pod, p, ni);
      if (unfit()) {
        ni.removePod(p.uid);
        fw.runPreFilterRemovePod(state, pod, p, ni);
        victims.push(p);
        return false;
      }
      return true;
    };
    for (const p of violating) if (!reprieve(p)) numPDBViolations++;
    for (const p of nonViolating) reprieve(p);
    victims.sort((a, b) => moreImportant(a.pod, b.pod));
    return { pods: victims, numPDBViolations };
  }

  /** Marks each victim with DisruptionTarget, deletes it and records `Preempted` on it. */
  private async prepareCandidate(c: Candidate, pod: PodInfo): Promise<void> {
    const pods = this.h.client.resource(PODS);
    const schedulerName = pod.pod.spec?.schedulerName ?? 'default-scheduler';
    await Promise.all(
      c.victims.pods.map(async (v) => {
        const m = v.pod.metadata ?? {};
        try {
          const condition = {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'PreemptionByScheduler',
            message: `${schedulerName}: preempting to accommodate a higher priority pod`,
            lastTransitionTime: new Date(this.h.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
          };
          await pods.patch(m.name ?? '', 'strategic', { status: { conditions: [condition] } }, { namespace: m.namespace, subresource: 'status' });
          await pods.delete(m.name ?? '', { namespace: m.namespace });
        } catch (e) {
          if (!isNotFound(e)) throw e;
          return;
        }
        this.h.recorder.event(v.pod as KubeObject, 'Normal', 'Preempted', `Preempted by pod ${pod.uid} on node ${c.nodeName}`);
      }),
    );
  }
}

/** Upstream filterPodsWithPDBViolation: pods whose eviction would exceed some PDB's allowance (in order). */
export function splitByPDBViolation(pods: readonly PodInfo[], pdbs: readonly CompiledPDB[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.allowed);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    const ns = p.pod.metadata?.namespace ?? '';
    const labels = p.pod.metadata?.labels ?? {};
    let violated = false;
    pdbs.forEach((pdb, i) => {
      if (pdb.namespace !== ns || pdb.selector.empty() || !pdb.selector.matches(labels)) return;
      if (pdb.disrupted.has(p.pod.metadata?.name ?? '')) return;
      allowed[i]!--;
      if (allowed[i]! < 0) violated = true;
    });
    (violated ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}

/** Upstream pickOneNodeForPreemption. */
export function pickOneNodeForPreemption(cs: readonly Candidate[]): Candidate {
  let pool = [...cs];
  const narrow = (score: (c: Candidate) => number): void => {
    if (pool.length <= 1) return;
    let best = -Infinity;
    let next: Candidate[] = [];
    for (const c of pool) {
      const s = score(c);
      if (s > best) {
        best = s;
        next = [c];
      } else if (s === best) next.push(c);
    }
    pool = next;
  };
  narrow((c) => -c.victims.numPDBViolations);
  narrow((c) => -(c.victims.pods.length ? podPriority(c.victims.pods[0]!.pod) : -Infinity));
  narrow((c) => -c.victims.pods.reduce((sum, p) => sum + podPriority(p.pod) + 2 ** 31, 0));
  narrow((c) => -c.victims.pods.length);
  narrow((c) => {
    // Latest start time among the highest-priority victims wins.
    const top = c.victims.pods.length ? podPriority(c.victims.pods[0]!.pod) : 0;
    let earliest = Infinity;
    for (const p of c.victims.pods) if (podPriority(p.pod) === top) earliest = Math.min(earliest, startTime(p.pod));
    return earliest;
  });
  return pool[0]!;
}

export function create(h: Handle): DefaultPreemption {
  return new DefaultPreemption(h);
}
