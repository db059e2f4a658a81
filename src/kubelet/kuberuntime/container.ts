// Container configs and what the kubelet reads back from a container's files (upstream
// kuberuntime_container.go): the CRI ContainerConfig, subPath mounts, the termination-message
// file, and the log tail used as a termination message (FallbackToLogsOnError).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, realpath, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError, type RunContainerOptions } from '../container/runtime.js';
import type { ContainerConfig, Mount, Req } from '../cri/types.js';
import { expandContainerCommandAndArgs } from '../envvars/expand.js';
import { linuxContainerResources } from './helpers.js';
import { newContainerAnnotations, newContainerLabels } from './labels.js';
import { containerSecurityContext } from './security-context.js';

/** Upstream kubecontainer.MaxContainerTerminationMessageLength (4 KiB). */
export const MAX_TERMINATION_MESSAGE_LENGTH = 4 * 1024;
/** Upstream MaxContainerTerminationMessageLogLength / LogLines for FallbackToLogsOnError. */
export const MAX_TERMINATION_MESSAGE_LOG_LENGTH = 2048;
export const MAX_TERMINATION_MESSAGE_LOG_LINES = 80;

export const CREATE_CONTAINER_CONFIG_ERROR = 'CreateContainerConfigError';

/** `<container>/<restartCount>.log`, relative to the sandbox's log directory (upstream buildContainerLogsPath). */
export function containerLogsPath(containerName: string, restartCount: number): string {
  return `${containerName}/${restartCount}.log`;
}

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  restartCount: number;
  /** The image id the image manager resolved. */
  imageRef: string;
  hash: string;
  opts: RunContainerOptions;
  /** Mounts with subPath already resolved on the host. */
  mounts: Req<Mount>[];
  memoryCapacity: number;
  seccompProfileRoot: string;
}

/** Upstream generateContainerConfig + applyPlatformSpecificContainerConfig (linux). */
export function generateContainerConfig(input: ContainerConfigInput): Req<ContainerConfig> {
  const { pod, container, restartCount, opts } = input;
  const { command, args } = expandContainerCommandAndArgs(container, opts.envs);
  return {
    metadata: { name: container.name, attempt: restartCount },
    image: { image: input.imageRef, userSpecifiedImage: container.image ?? '' },
    command,
    args,
    workingDir: container.workingDir ?? '',
    labels: newContainerLabels(container, pod),
    annotations: newContainerAnnotations(container, pod, restartCount, input.hash),
    mounts: input.mounts,
    logPath: containerLogsPath(container.name, restartCount),
    stdin: container.stdin === true,
    stdinOnce: container.stdinOnce === true,
    tty: container.tty === true,
    envs: opts.envs.map((e) => ({ key: e.name, value: e.value })),
    linux: {
      resources: linuxContainerResources(pod, container, input.memoryCapacity),
      securityContext: containerSecurityContext(pod, container, input.seccompProfileRoot),
    },
  };
}

/**
 * The volume mounts of RunContainerOptions as CRI mounts. A subPath is joined to the volume's
 * host path, must not be absolute or step out with `..`, is created when missing (as upstream
 * does, so that it gets the volume's mode) and, after resolving symlinks, must stay inside the
 * volume. Errors are ContainerConfigErrors (the container waits with CreateContainerConfigError).
 */
export async function makeMounts(container: Container, opts: RunContainerOptions): Promise<Req<Mount>[]> {
  const out: Req<Mount>[] = [];
  for (const m of opts.mounts) {
    let hostPath = m.hostPath;
    if (m.subPath) hostPath = await resolveSubPath(container, m.name, m.hostPath, m.subPath);
    out.push({ hostPath, containerPath: m.containerPath, readonly: m.readOnly });
  }
  return out;
}

async function resolveSubPath(container: Container, volumeName: string, volumePath: string, subPath: string): Promise<string> {
  if (isAbsolute(subPath)) throw new ContainerConfigError(CREATE_CONTAINER_CONFIG_ERROR, `error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split(/[\\/]/).includes('..')) {
    throw new ContainerConfigError(CREATE_CONTAINER_CONFIG_ERROR, `unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  }
  const joined = join(volumePath, subPath);
  let exists = true;
  try {
    await stat(joined);
  } catch {
    exists = false;
  }
  if (!exists) {
    try {
      const mode = (await stat(volumePath)).mode & 0o7777;
      await mkdir(joined, { recursive: true, mode });
    } catch {
      throw new ContainerConfigError(CREATE_CONTAINER_CONFIG_ERROR, `failed to create subPath directory for volumeMount "${volumeName}" of container "${container.name}"`);
    }
  }
  try {
    const [base, real] = await Promise.all([realpath(volumePath), realpath(joined)]);
    const rel = relative(base, real);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new Error('escapes the volume');
    return real;
  } catch {
    throw new ContainerConfigError(CREATE_CONTAINER_CONFIG_ERROR, `failed to prepare subPath for volumeMount "${volumeName}" of container "${container.name}"`);
  }
}

/**
 * Creates the host file for the termination message (`<podContainerDir>/<random id>`,
 * mode 0666 whatever the umask) and returns the mount for it; undefined when the container has
 * no terminationMessagePath or the file cannot be created (upstream only logs that).
 */
export async function terminationMessageMount(container: Container, opts: RunContainerOptions): Promise<Req<Mount> | undefined> {
  if (!opts.podContainerDir || !container.terminationMessagePath) return undefined;
  // podContainerDir is the container's own directory (`<pod dir>/containers/<name>`); the random
  // id keeps instances of the same container apart.
  const file = join(opts.podContainerDir, randomBytes(4).toString('hex'));
  await mkdir(opts.podContainerDir, { recursive: true });
  await writeFile(file, '');
  await chmod(file, 0o666);
  return { hostPath: file, containerPath: container.terminationMessagePath };
}

/** The last `max` bytes of a file (upstream tail.ReadAtMost); undefined when it does not exist. */
export async function readAtMost(path: string, max: number): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const size = (await fh.stat()).size;
    const start = Math.max(0, size - max);
    const buf = Buffer.alloc(size - start);
    if (buf.length > 0) await fh.read(buf, 0, buf.length, start);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Bytes read from the end of a log to find its last lines; lines of the CRI log are at most 16 KiB. */
const LOG_TAIL_READ = 1 << 20;

/**
 * The end of a CRI-format log (`<time> <stream> <P|F> <content>`) as the container wrote it:
 * the last `lines` log lines, then at most the last `maxBytes` bytes of their content
 * (upstream ReadLogs with tailLines into a circular buffer).
 */
export async function readLogTail(path: string, lines = MAX_TERMINATION_MESSAGE_LOG_LINES, maxBytes = MAX_TERMINATION_MESSAGE_LOG_LENGTH): Promise<string> {
  const raw = await readAtMost(path, LOG_TAIL_READ);
  if (raw === undefined) throw new Error(`open ${path}: no such file or directory`);
  const all = raw.split('\n');
  if (all.at(-1) === '') all.pop();
  let content = '';
  for (const line of all.slice(-lines)) {
    const a = line.indexOf(' ');
    const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
    const c = b < 0 ? -1 : line.indexOf(' ', b + 1);
    if (c < 0) continue;
    const tag = line.slice(b + 1, c);
    content += line.slice(c + 1) + (tag === 'P' ? '' : '\n');
  }
  const buf = Buffer.from(content, 'utf8');
  return buf.length > maxBytes ? buf.subarray(buf.length - maxBytes).toString('utf8') : content;
}

/**
 * The restart count to use when the runtime has no status of the container (its state was
 * lost, e.g. after a reboot): one past the highest `<n>.log` in its log directory, so logs are
 * not overwritten (upstream calcRestartCountByLogDir).
 */
export async function restartCountFromLogDir(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let max = -1;
  for (const n of names) {
    const m = /^(\d+)\.log$/.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}
