// Assembles the registry: one GenericStore per stored resource (with its strategy) and the
// served group/version/resource → store table the endpoints use. Resources with special
// behaviour are listed in OVERRIDES; everything else is the catalogue plus its kind handlers.

import type { Service, Namespace } from 'kubernetes-types/core/v1.js';
import { RESOURCES, groupVersion, type ResourceInfo } from '../../api/catalogue.js';
import { applySchemaFor } from '../../api/openapi/apply-schema.js';
import { updateManagedFields, managerOrUserAgent, fieldSetOf, type ApplySchema } from '../../machinery/fieldmanager/index.js';
import type { ApiObject } from '../../api/scheme.js';
import { kindHandlers } from '../../api/index.js';
import { validateObjectMeta, validateObjectMetaUpdate, nameValidator } from '../../api/meta/v1/validation.js';
import type { Storage } from '../../storage/interfaces.js';
import { GenericStore, type GenericStoreOptions, type RequestContext } from './generic/store.js';
import { defaultStrategy, defaultStatusStrategy } from './generic/default-strategy.js';
import type { Strategy } from './generic/strategy.js';
import type { ResourceLookup, ServedResource } from '../endpoints/resource.js';
import { hubOf } from './versioning.js';
import { podStrategyOverrides } from './core/pods/strategy.js';
import { nodeStrategyOverrides } from './core/nodes/strategy.js';
import { eventStrategyOverrides } from './core/events/strategy.js';
import { secretStrategyOverrides } from './core/secrets/strategy.js';
import { replicationControllerStrategyOverrides } from './core/replicationcontrollers/strategy.js';
import { serviceStrategyOverrides } from './core/services/strategy.js';
import { IPAllocator, PortAllocator } from './core/services/allocator.js';
import { NamespaceStore, namespaceStrategyOverrides } from './core/namespaces/storage.js';
import { jobStrategyOverrides } from './batch/jobs/strategy.js';
import { selectableFields } from './generic/selectable.js';
import { csrStrategyOverrides } from './certificates/certificatesigningrequests/strategy.js';
import * as namespaceLifecycle from '../admission/plugins/namespacelifecycle/plugin.js';
import * as serviceAccountAdmission from '../admission/plugins/serviceaccount/plugin.js';
import * as priorityAdmission from '../admission/plugins/priority/plugin.js';
import * as defaultTolerationSeconds from '../admission/plugins/defaulttolerationseconds/plugin.js';
import * as defaultStorageClass from '../admission/plugins/defaultstorageclass/plugin.js';
import type { PersistentVolumeClaim, Pod, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';

/**
 * Managed-fields tracking for one resource: every write is recorded as an Update by the
 * request's field manager (or its User-Agent), in the schema of the stored version.
 */
function managedFieldsFor(hub: { group: string; version: string; kind: string }, hasStatus: boolean): GenericStoreOptions['manageFields'] {
  let schema: ApplySchema | undefined | null = null;
  const mainIgnored = hasStatus ? fieldSetOf(['status']) : undefined;
  const statusIgnored = fieldSetOf(['spec']);
  return (ctx, old, obj, subresource) => {
    if (schema === null) schema = applySchemaFor(hub.group, hub.version, hub.kind);
    if (!schema) return obj;
    return updateManagedFields(old, obj, {
      manager: managerOrUserAgent(ctx.fieldManager, ctx.userAgent),
      apiVersion: ctx.apiVersion ?? groupVersion(hub.group, hub.version),
      subresource: subresource && subresource !== 'finalize' ? subresource : undefined,
      now: new Date(),
      schema,
      ignoredFields: subresource === 'status' ? statusIgnored : mainIgnored,
    });
  };
}

export interface RegistryOptions {
  /** Storage for one hub resource (the daemon supplies a watch cache over the backend). */
  storageFor(info: ResourceInfo, keyPrefix: string): Storage;
  serviceCIDR: string;
  nodePortRange?: { min: number; max: number };
}

/** Resources that are not stored (bindings are pod subresource writes). */
const NOT_STORED = new Set(['/bindings']);

export class APIRegistry implements ResourceLookup {
  private readonly hubStores = new Map<string, GenericStore>();
  private readonly served = new Map<string, ServedResource>();
  readonly serviceIPs: IPAllocator;

  constructor(opts: RegistryOptions) {
    this.serviceIPs = new IPAllocator(opts.serviceCIDR);
    const ports = new PortAllocator(opts.nodePortRange?.min, opts.nodePortRange?.max);
    // Admission plugins read through the watch cache first (as upstream reads an informer); a
    // miss may be an object created a moment ago, so it is confirmed with a consistent read.
    const sys = (namespace?: string): RequestContext => ({ user: { name: 'system:apiserver', groups: [] }, namespace, dryRun: false, warnings: [] });
    const lookup = async <T>(id: string, namespace: string | undefined, name: string): Promise<T | undefined> => {
      const store = this.hubStores.get(id)!;
      for (const rv of ['0', undefined]) {
        try {
          return (await store.get(sys(namespace), name, rv)) as T;
        } catch (e) {
          if ((e as { code?: number }).code !== 404) throw e;
        }
      }
      return undefined;
    };
    const lifecycle = namespaceLifecycle.create({ getNamespace: (name) => lookup<Namespace>('/namespaces', undefined, name) });
    const serviceAccounts = serviceAccountAdmission.create({ getServiceAccount: (ns, name) => lookup<ServiceAccount>('/serviceaccounts', ns, name) });
    const priority = priorityAdmission.create({
      getPriorityClass: (name) => lookup<PriorityClass>('scheduling.k8s.io/priorityclasses', undefined, name),
      listPriorityClasses: async () => (await this.hubStores.get('scheduling.k8s.io/priorityclasses')!.list(sys(), { resourceVersion: '0' })).items as PriorityClass[],
    });
    const tolerations = defaultTolerationSeconds.create();
    const storageClasses = defaultStorageClass.create({
      listStorageClasses: async () => (await this.hubStores.get('storage.k8s.io/storageclasses')!.list(sys(), { resourceVersion: '0' })).items as StorageClass[],
    });

    const overrides: Record<string, () => Partial<Strategy>> = {
      '/pods': podStrategyOverrides,
      '/nodes': nodeStrategyOverrides,
      '/events': eventStrategyOverrides,
      '/secrets': secretStrategyOverrides,
      '/replicationcontrollers': replicationControllerStrategyOverrides,
      '/namespaces': namespaceStrategyOverrides,
      '/services': () =>
        serviceStrategyOverrides({ ips: this.serviceIPs, ports }, async () => {
          const store = this.hubStores.get('/services')!;
          const list = await store.list(sys(), {});
          return list.items as Service[];
        }),
      'batch/jobs': jobStrategyOverrides,
      'certificates.k8s.io/certificatesigningrequests': csrStrategyOverrides,
      // Upstream's other selectable fields (GetAttrs of each strategy).
      'apps/replicasets': () => selectableFields({ 'status.replicas': (o) => String(o.status?.replicas ?? 0) }),
    };

    for (const info of RESOURCES) {
      const hub = hubOf(info);
      if (hub.group !== info.group) continue; // served from another group's store
      const id = `${info.group}/${info.resource}`;
      if (NOT_STORED.has(id) || this.hubStores.has(id)) continue;
      const handlers = kindHandlers(hub.group, hub.version, hub.kind);
      const nameFn = nameValidator(handlers?.nameValidation ?? 'dns1123-subdomain');
      const strategy = defaultStrategy(info, handlers, overrides[id]?.() ?? {});
      const keyPrefix = `/registry/${info.group ? `${info.resource}.${info.group}` : info.resource}/`;
      const storeOpts: GenericStoreOptions = {
        info,
        storage: opts.storageFor(info, keyPrefix),
        strategy,
        statusStrategy: strategy.hasStatus ? defaultStatusStrategy(handlers, info) : undefined,
        validateMeta: (obj: ApiObject, old: ApiObject | undefined) => {
          const errs = validateObjectMeta(obj.metadata ?? {}, { namespaced: info.namespaced, nameFn });
          if (old) errs.push(...validateObjectMetaUpdate(obj.metadata ?? {}, old.metadata ?? {}));
          return errs;
        },
        // The enabled plugins in upstream's order: NamespaceLifecycle, ServiceAccount, Priority,
        // DefaultTolerationSeconds, DefaultStorageClass.
        admit: async (ctx: RequestContext, op, obj, old, subresource) => {
          if (op === 'CREATE' && info.namespaced) await lifecycle.admitCreate({ group: info.group, resource: info.resource }, ctx.namespace ?? obj.metadata?.namespace, obj.metadata?.name ?? '');
          if (op === 'DELETE' && id === '/namespaces') lifecycle.admitNamespaceDelete(obj.metadata?.name ?? '');
          if (id === '/pods' && op === 'CREATE' && !subresource) {
            await serviceAccounts.admitPod(op, ctx.namespace ?? obj.metadata?.namespace ?? '', obj as Pod);
            await priority.admitPod(op, obj as Pod, old as Pod | undefined);
            tolerations.admitPod(op, obj as Pod);
          }
          if (id === 'scheduling.k8s.io/priorityclasses' && (op === 'CREATE' || op === 'UPDATE') && !subresource) await priority.validatePriorityClass(op, obj as PriorityClass);
          if (id === '/persistentvolumeclaims' && op === 'CREATE' && !subresource) await storageClasses.admitClaim(op, obj as PersistentVolumeClaim);
        },
        returnDeletedObject: id === '/pods' || id === '/services',
        manageFields: managedFieldsFor(hub, strategy.hasStatus),
      };
      this.hubStores.set(id, id === '/namespaces' ? new NamespaceStore(storeOpts) : new GenericStore(storeOpts));
    }

    for (const info of RESOURCES) {
      const hub = hubOf(info);
      const store = this.hubStores.get(`${hub.group}/${info.resource}`);
      if (!store) continue;
      for (const v of info.versions) this.served.set(`${info.group}/${v}/${info.resource}`, { info, store });
    }
  }

  lookup(group: string, version: string, resource: string): ServedResource | undefined {
    return this.served.get(`${group}/${version}/${resource}`);
  }

  /** The hub store of a resource: `store('', 'pods')`. */
  store(group: string, resource: string): GenericStore {
    const s = this.hubStores.get(`${group}/${resource}`);
    if (!s) throw new Error(`no store for ${group}/${resource}`);
    return s;
  }

  stores(): GenericStore[] {
    return [...this.hubStores.values()];
  }
}
