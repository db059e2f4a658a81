// Creating and deleting pods for an owner (upstream RealPodControl): pods from the owner's
// template with its controller reference, and the owner's events upstream records —
// `SuccessfulCreate` "Created pod: NAME", `FailedCreate` "Error creating: …",
// `SuccessfulDelete` "Deleted pod: NAME", `FailedDelete` "Error deleting: …".

import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Interface } from '../../client/clientset.js';
import type { KubeObject } from '../../client/rest/resource.js';
import { PODS } from '../../client/resources.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import { isNotFound } from '../../client/rest/errors.js';
import type { PodObject } from './podutil.js';

/** The pod an owner's template describes (upstream GetPodFromTemplate). */
export function podFromTemplate(template: PodTemplateSpec | undefined, owner: KubeObject, controllerRef: OwnerReference | undefined): PodObject {
  const meta = template?.metadata ?? {};
  const pod: PodObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata?.name ?? ''}-`,
      namespace: owner.metadata?.namespace,
    },
    spec: structuredClone(template?.spec ?? { containers: [] }),
  };
  if (meta.labels) pod.metadata!.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata!.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata!.finalizers = [...meta.finalizers];
  if (controllerRef) pod.metadata!.ownerReferences = [controllerRef];
  return pod;
}

export interface CreatePodOptions {
  /** A fixed name instead of generateName (StatefulSet, indexed Job). */
  name?: string;
  /** Changes to the pod before it is sent (extra labels, hostname, nodeName…). */
  mutate?: (pod: PodObject) => void;
  signal?: AbortSignal;
}

export class PodControl {
  constructor(
    private readonly client: Interface,
    private readonly recorder: EventRecorder,
  ) {}

  /** Creates one pod for `owner` and records the owner's event. Throws what the API answered. */
  async createPod(template: PodTemplateSpec | undefined, owner: KubeObject, controllerRef: OwnerReference | undefined, opts: CreatePodOptions = {}): Promise<PodObject> {
    const pod = podFromTemplate(template, owner, controllerRef);
    if (opts.name) {
      pod.metadata!.name = opts.name;
      delete pod.metadata!.generateName;
    }
    opts.mutate?.(pod);
    if (!pod.metadata?.labels || Object.keys(pod.metadata.labels).length === 0) {
      throw new Error('unable to create pods, no labels');
    }
    try {
      const created = await this.client.resource<PodObject>(PODS).create(pod, { namespace: owner.metadata?.namespace, signal: opts.signal });
      this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
      return created;
    } catch (e) {
      this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }

  /** Deletes a pod of `owner`; a pod already gone is not an error. */
  async deletePod(namespace: string, name: string, owner: KubeObject, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.resource(PODS).delete(name, { namespace, signal });
      this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (e) {
      if (isNotFound(e)) return;
      this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }
}
