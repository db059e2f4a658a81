// Mirror pods (upstream pkg/kubelet/pod/mirror_client.go): the API object that shows a static
// pod. It is a copy of the static pod with the `kubernetes.io/config.mirror` annotation set to
// the static pod's hash and the Node as its controlling owner (MirrorPodNodeRestriction).

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Interface } from '../../client/clientset.js';
import { PODS } from '../../client/resources.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/rest/errors.js';
import type { DeepMutable } from '../../util/mutable.js';
import { CONFIG_HASH_ANNOTATION, CONFIG_MIRROR_ANNOTATION, type PodObject } from '../util/pod.js';

export interface MirrorClientOptions {
  client: Interface;
  nodeName: string;
  /** The UID of this node's Node object, undefined while unknown. */
  nodeUID: () => string | undefined;
}

export class MirrorClient {
  constructor(private readonly opts: MirrorClientOptions) {}

  /**
   * Creates the mirror pod of `staticPod`. Succeeds when a mirror with the same hash already
   * exists; throws on any other failure (including an existing pod with another hash).
   */
  async createMirrorPod(staticPod: Pod): Promise<PodObject | undefined> {
    const nodeUID = this.opts.nodeUID();
    if (!nodeUID) throw new Error(`UID unset for node ${this.opts.nodeName}`);
    const hash = staticPod.metadata?.annotations?.[CONFIG_HASH_ANNOTATION] ?? staticPod.metadata?.uid ?? '';
    const copy = structuredClone(staticPod) as DeepMutable<Pod>;
    const meta = (copy.metadata ??= {});
    // The API server gives the mirror its own identity.
    delete meta.uid;
    delete meta.resourceVersion;
    delete meta.creationTimestamp;
    meta.annotations = { ...meta.annotations, [CONFIG_MIRROR_ANNOTATION]: hash };
    meta.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: this.opts.nodeName, uid: nodeUID, controller: true }];
    const pods = this.opts.client.resource<PodObject>(PODS);
    try {
      return await pods.create(copy as PodObject, { namespace: meta.namespace });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await pods.get(meta.name ?? '', { namespace: meta.namespace }).catch(() => undefined);
      if (existing?.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] === hash) return undefined;
      throw err;
    }
  }

  /**
   * Deletes a mirror pod at once (grace 0), only the one with `uid` when given. True when it is
   * gone (not found and a changed uid count as gone: upstream treats both as success).
   */
  async deleteMirrorPod(namespace: string, name: string, uid?: string): Promise<boolean> {
    try {
      await this.opts.client.resource<PodObject>(PODS).delete(name, { namespace, gracePeriodSeconds: 0, ...(uid ? { preconditions: { uid } } : {}) });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
    return true;
  }
}
