// The host binaries the private containerd instance needs, and the Debian package of each, so
// a missing one stops the agent with one line that says what to install.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CNI_BIN_DIR } from './config.js';

export interface Dependency {
  /** A command name looked up on PATH, or an absolute path. */
  binary: string;
  debianPackage: string;
}

export function runtimeDependencies(cniBinDir = CNI_BIN_DIR): Dependency[] {
  return [
    { binary: 'containerd', debianPackage: 'containerd' },
    { binary: 'containerd-shim-runc-v2', debianPackage: 'containerd' },
    { binary: 'ctr', debianPackage: 'containerd' },
    { binary: 'runc', debianPackage: 'runc' },
    ...['bridge', 'host-local', 'loopback', 'portmap'].map((p) => ({ binary: join(cniBinDir, p), debianPackage: 'containernetworking-plugins' })),
    { binary: 'iptables', debianPackage: 'iptables' },
  ];
}

export class MissingDependencyError extends Error {
  readonly code = 'MissingDependency';
  constructor(readonly missing: Dependency[]) {
    const pkgs = [...new Set(missing.map((d) => d.debianPackage))];
    super(`${missing.map((d) => d.binary).join(', ')} not found: install the Debian package${pkgs.length > 1 ? 's' : ''} ${pkgs.join(' ')} (apt-get install ${pkgs.join(' ')})`);
  }
}

/** The absolute path of an executable: `name` itself when absolute, else the first match on PATH. */
export async function findExecutable(name: string, path = process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'): Promise<string | undefined> {
  const candidates = name.startsWith('/') ? [name] : path.split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // try the next directory
    }
  }
  return undefined;
}

/** Throws MissingDependencyError naming every missing binary and its package. */
export async function checkDependencies(deps: readonly Dependency[], path?: string): Promise<void> {
  const found = await Promise.all(deps.map((d) => findExecutable(d.binary, path)));
  const missing = deps.filter((_, i) => !found[i]);
  if (missing.length) throw new MissingDependencyError(missing);
}
