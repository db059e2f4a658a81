// Test helpers: an in-memory ServiceAccountTokenGetter and an ES256 key made without touching disk.

import { generateKeyPairSync } from 'node:crypto';
import type { Node, Pod, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { ServiceAccountTokenGetter } from '../getters.js';
import { verificationKey, type ServiceAccountKey } from '../keys.js';

export function testKey(type: 'ec' | 'rsa' = 'ec'): ServiceAccountKey {
  const { privateKey } = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const v = verificationKey(privateKey);
  return { ...v, privateKey, publicKeyPem: v.key.export({ type: 'spki', format: 'pem' }).toString(), generated: true };
}

/** Objects by `namespace/name` (nodes by name); tests add and remove them freely. */
export class MemoryGetter implements ServiceAccountTokenGetter {
  readonly serviceAccounts = new Map<string, ServiceAccount>();
  readonly pods = new Map<string, Pod>();
  readonly secrets = new Map<string, Secret>();
  readonly nodes = new Map<string, Node>();

  async getServiceAccount(ns: string, name: string): Promise<ServiceAccount | undefined> {
    return this.serviceAccounts.get(`${ns}/${name}`);
  }
  async getPod(ns: string, name: string): Promise<Pod | undefined> {
    return this.pods.get(`${ns}/${name}`);
  }
  async getSecret(ns: string, name: string): Promise<Secret | undefined> {
    return this.secrets.get(`${ns}/${name}`);
  }
  async getNode(name: string): Promise<Node | undefined> {
    return this.nodes.get(name);
  }
}
