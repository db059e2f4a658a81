// Continue tokens as upstream's storage.EncodeContinue/DecodeContinue: base64url (no padding)
// of {"v":"meta.k8s.io/v1","rv":<list revision>,"start":"<next key without the prefix>"}.
// rv -1 means "continue at the latest revision" (handed out with a 410 for a compacted token).

import { StorageError } from './interfaces.js';

const VERSION = 'meta.k8s.io/v1';

export function encodeContinue(nextKey: string, keyPrefix: string, revision: number): string {
  if (!nextKey.startsWith(keyPrefix) || nextKey === keyPrefix) {
    throw new Error('unable to encode next field: the key and key prefix do not match');
  }
  const json = JSON.stringify({ v: VERSION, rv: revision, start: nextKey.slice(keyPrefix.length) });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** Returns the full start key and the revision; throws StorageError 'InvalidContinue'. */
export function decodeContinue(token: string, keyPrefix: string): { startKey: string; revision: number } {
  const invalid = (msg: string): StorageError => new StorageError('InvalidContinue', keyPrefix, msg);
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(token)) throw invalid('continue key is not valid: illegal base64 data');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new StorageError('InvalidContinue', keyPrefix, `continue key is not valid: ${(cause as Error).message}`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid('continue key is not valid: not an object');
  const c = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (c.v !== VERSION) {
    throw invalid(`continue key is not valid: server does not recognize this encoded version ${JSON.stringify(String(c.v ?? ''))}`);
  }
  if (typeof c.rv !== 'number' || !Number.isInteger(c.rv) || c.rv === 0 || c.rv < -1) {
    throw invalid('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof c.start !== 'string' || c.start.length === 0) {
    throw invalid('continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
  }
  // Path traversal defence as upstream: the cleaned key must equal the given one, so the
  // token can never point outside the prefix.
  const key = c.start.startsWith('/') ? c.start : `/${c.start}`;
  if (cleanPath(key) !== key) throw invalid(`continue key is not valid: ${c.start}`);
  return { startKey: keyPrefix + key.slice(1), revision: c.rv };
}

/** path.Clean for rooted paths: resolves '.', '..' and duplicate slashes, drops a trailing slash. */
function cleanPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}
