// Fills Secrets of type kubernetes.io/service-account-token (upstream
// pkg/controller/serviceaccount/tokens_controller.go): a Secret annotated with
// kubernetes.io/service-account.name gets data.token (a legacy token signed with the service
// account key), data.ca.crt and data.namespace, and the account's uid annotation; a Secret whose
// service account does not exist is deleted, as are the token Secrets of a deleted account. It
// needs the signing key, so it runs in the API server process over the registry stores.

import { Buffer } from 'node:buffer';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/scheme.js';
import { newNotFound } from '../../machinery/errors.js';
import type { Logger } from '../../logging/index.js';
import type { DeepMutable } from '../../util/mutable.js';
import type { GenericStore, RequestContext } from '../registry/generic/store.js';
import type { TokenIssuer } from './issuer.js';
import { getFromStore } from './getters.js';

export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SERVICE_ACCOUNT_NAME_KEY = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_KEY = 'kubernetes.io/service-account.uid';

export interface LegacyTokensControllerOptions {
  secrets: GenericStore;
  serviceAccounts: GenericStore;
  issuer: TokenIssuer;
  /** The cluster CA bundle written to data["ca.crt"] (--root-ca-file). */
  rootCAPem?: string;
  logger: Logger;
  /** Pause between retries of a failed sync, doubled up to 5 attempts. */
  retryDelayMs?: number;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const TYPE_SELECTOR = `type=${SERVICE_ACCOUNT_TOKEN_TYPE}`;

/**
 * The Secret as it should be for its service account (upstream generateTokenIfNeeded), or
 * undefined when it needs nothing. An existing token is kept.
 */
export async function populateTokenSecret(secret: Secret, sa: ServiceAccount, issuer: TokenIssuer, rootCAPem: string | undefined): Promise<DeepMutable<Secret> | undefined> {
  const ns = secret.metadata?.namespace ?? '';
  const data = secret.data ?? {};
  const want: Record<string, string> = {};
  if (rootCAPem !== undefined && data['ca.crt'] !== b64(rootCAPem)) want['ca.crt'] = b64(rootCAPem);
  if (data.namespace !== b64(ns)) want.namespace = b64(ns);
  if (!data.token) {
    const saRef = { namespace: ns, name: sa.metadata?.name ?? '', uid: sa.metadata?.uid ?? '' };
    want.token = b64(await issuer.issueLegacy(saRef, secret.metadata?.name ?? ''));
  }
  const ann = secret.metadata?.annotations ?? {};
  const annotationsOK = ann[SERVICE_ACCOUNT_NAME_KEY] === sa.metadata?.name && ann[SERVICE_ACCOUNT_UID_KEY] === sa.metadata?.uid;
  if (Object.keys(want).length === 0 && annotationsOK) return undefined;
  const out = structuredClone(secret) as DeepMutable<Secret>;
  out.data = { ...data, ...want };
  const meta = (out.metadata ??= {});
  meta.annotations = { ...ann, [SERVICE_ACCOUNT_NAME_KEY]: sa.metadata?.name ?? '', [SERVICE_ACCOUNT_UID_KEY]: sa.metadata?.uid ?? '' };
  return out;
}

export class LegacyTokensController {
  private readonly retryDelayMs: number;

  constructor(private readonly opts: LegacyTokensControllerOptions) {
    this.retryDelayMs = opts.retryDelayMs ?? 200;
  }

  private ctx(namespace: string | undefined): RequestContext {
    return { user: { name: 'system:serviceaccount:kube-system:tokens-controller', groups: ['system:serviceaccounts', 'system:authenticated'] }, namespace, dryRun: false, warnings: [] };
  }

  /** The service account a token Secret names, when it exists with the annotated uid (if any). */
  private async serviceAccountFor(secret: Secret): Promise<ServiceAccount | undefined> {
    const ns = secret.metadata?.namespace ?? '';
    const name = secret.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_KEY] ?? '';
    const uid = secret.metadata?.annotations?.[SERVICE_ACCOUNT_UID_KEY];
    const sa = await getFromStore<ServiceAccount>(this.opts.serviceAccounts, ns, name);
    if (!sa || (uid && sa.metadata?.uid !== uid)) return undefined;
    return sa;
  }

  /** Brings one Secret in line: fills it, or deletes it when its service account is gone. */
  async syncSecret(namespace: string, name: string): Promise<void> {
    const secret = await getFromStore<Secret>(this.opts.secrets, namespace, name);
    if (!secret || secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || secret.metadata?.deletionTimestamp) return;
    const sa = await this.serviceAccountFor(secret);
    if (!sa) {
      await this.deleteSecret(secret);
      return;
    }
    if (!(await populateTokenSecret(secret, sa, this.opts.issuer, this.opts.rootCAPem))) return;
    await this.opts.secrets.update(this.ctx(namespace), name, async (current) => {
      // Recomputed from the stored object so a concurrent write is never overwritten.
      if (!current) throw newNotFound({ group: '', resource: 'secrets' }, name);
      const fresh = await populateTokenSecret(current as Secret, sa, this.opts.issuer, this.opts.rootCAPem);
      return (fresh ?? current) as ApiObject;
    });
    this.opts.logger.info({ secret: `${namespace}/${name}`, serviceAccount: sa.metadata?.name }, 'service account token secret populated');
  }

  /** A deleted service account takes its token Secrets with it (upstream syncServiceAccount). */
  async serviceAccountDeleted(sa: ServiceAccount): Promise<void> {
    const ns = sa.metadata?.namespace ?? '';
    const list = await this.opts.secrets.list(this.ctx(ns), { fieldSelector: TYPE_SELECTOR });
    for (const s of list.items as Secret[]) {
      const ann = s.metadata?.annotations ?? {};
      if (ann[SERVICE_ACCOUNT_NAME_KEY] !== sa.metadata?.name) continue;
      if (ann[SERVICE_ACCOUNT_UID_KEY] && ann[SERVICE_ACCOUNT_UID_KEY] !== sa.metadata?.uid) continue;
      await this.deleteSecret(s);
    }
  }

  private async deleteSecret(secret: Secret): Promise<void> {
    const ns = secret.metadata?.namespace ?? '';
    const name = secret.metadata?.name ?? '';
    try {
      await this.opts.secrets.delete(this.ctx(ns), name, { preconditions: { uid: secret.metadata?.uid } });
      this.opts.logger.info({ secret: `${ns}/${name}` }, 'token secret of a missing service account deleted');
    } catch (e) {
      const code = (e as { code?: number }).code;
      if (code !== 404 && code !== 409) throw e;
    }
  }

  /**
   * Watches token Secrets and service accounts until `signal` aborts, handling events one at a
   * time; a watch that ends is restarted (its initial ADDED events resync everything).
   */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([
      this.loop(signal, this.opts.secrets, TYPE_SELECTOR, async (type, obj) => {
        if (type === 'ADDED' || type === 'MODIFIED') await this.syncSecret(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
      }),
      this.loop(signal, this.opts.serviceAccounts, undefined, async (type, obj) => {
        if (type === 'DELETED') await this.serviceAccountDeleted(obj as ServiceAccount);
      }),
    ]);
  }

  private async loop(signal: AbortSignal, store: GenericStore, fieldSelector: string | undefined, handle: (type: string, obj: ApiObject) => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      try {
        for await (const ev of store.watch(this.ctx(undefined), { fieldSelector, signal })) {
          if (ev.type === 'ERROR') break;
          if (ev.type === 'BOOKMARK') continue;
          await this.withRetry(signal, () => handle(ev.type, ev.object));
        }
      } catch (e) {
        if (signal.aborted) return;
        this.opts.logger.warn({ err: e }, 'token secret watch failed; restarting');
      }
      await sleep(this.retryDelayMs, undefined, { signal }).catch(() => undefined);
    }
  }

  private async withRetry(signal: AbortSignal, fn: () => Promise<void>): Promise<void> {
    let delay = this.retryDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await fn();
        return;
      } catch (e) {
        if (signal.aborted || attempt >= 5) {
          this.opts.logger.error({ err: e }, 'token secret sync failed');
          return;
        }
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        delay *= 2;
      }
    }
  }
}
