// Reproducible OCI image-layout tarballs without a registry: one uncompressed layer from a list
// of file entries, the image config, the manifest, and index.json naming the image (one
// descriptor per tag with the `io.containerd.image.name` and `org.opencontainers.image.ref.name`
// annotations). The same input gives the same bytes: names sorted, owner 0:0, mtime 0.
import { createHash } from 'node:crypto';
import { pack as tarPack, type Header } from 'tar-stream';

type Headers = Partial<Header> & Pick<Header, 'name'>;

export const MEDIA_TYPE_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_LAYER = 'application/vnd.oci.image.layer.v1.tar';
export const ANNOTATION_CONTAINERD_NAME = 'io.containerd.image.name';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

/** One file-system entry of a layer; `path` is relative, without a leading slash. */
export type LayerEntry =
  | { type: 'file'; path: string; mode: number; content: Buffer }
  | { type: 'directory'; path: string; mode: number }
  | { type: 'symlink'; path: string; target: string };

/** The runtime part of an OCI image config (`config` in the JSON). */
export interface ImageRuntimeConfig {
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  User?: string;
  StopSignal?: string;
  Labels?: Record<string, string>;
}

export interface ImageSpecInput {
  /** Full names, e.g. `docker.io/library/busybox:latest`; each becomes one index entry. */
  names: string[];
  layer: LayerEntry[];
  config: ImageRuntimeConfig;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

export interface BuiltImage {
  /** The OCI image-layout tarball. */
  tarball: Buffer;
  manifest: Descriptor;
  config: Descriptor;
  layer: Descriptor;
  /** `sha256:…` of the uncompressed layer (rootfs.diff_ids[0]). */
  diffId: string;
}

const EPOCH = new Date(0);

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A tar of `entries` in name order, parents before children, every header normalized. */
export async function buildTar(entries: readonly { header: Headers; body?: Buffer }[]): Promise<Buffer> {
  const sorted = [...entries].sort((a, b) => compareNames(a.header.name, b.header.name));
  const seen = new Set<string>();
  const p = tarPack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    p.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
  });
  for (const { header, body } of sorted) {
    if (seen.has(header.name)) throw new Error(`duplicate tar entry ${header.name}`);
    seen.add(header.name);
    const h: Headers = { uid: 0, gid: 0, uname: '', gname: '', mtime: EPOCH, ...header };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (body) p.entry(h, body, cb);
      else p.entry(h, cb);
    });
  }
  p.finalize();
  return done;
}

/** Plain byte order of the names (what `sort` gives in the C locale). */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function layerTar(entries: readonly LayerEntry[]): Promise<Buffer> {
  return buildTar(entries.map((e) => {
    const name = e.path.replace(/^\/+/, '');
    if (!name) throw new Error('layer entry without a path');
    switch (e.type) {
      case 'file':
        return { header: { name, type: 'file', mode: e.mode, size: e.content.length }, body: e.content };
      case 'directory':
        return { header: { name: `${name.replace(/\/+$/, '')}/`, type: 'directory', mode: e.mode } };
      case 'symlink':
        return { header: { name, type: 'symlink', mode: 0o777, linkname: e.target } };
    }
  }));
}

/** The tag part of a full name (`…/busybox:1.35` → `1.35`), as `org.opencontainers.image.ref.name`. */
export function tagOf(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  return colon >= 0 ? name.slice(colon + 1) : 'latest';
}

/** Builds the image and its OCI image-layout tarball. */
export async function buildOCIImage(spec: ImageSpecInput, layer?: Buffer): Promise<BuiltImage> {
  if (spec.names.length === 0) throw new Error('an image needs at least one name');
  const layerBytes = layer ?? (await layerTar(spec.layer));
  const diffId = sha256(layerBytes);
  const layerDesc: Descriptor = { mediaType: MEDIA_TYPE_LAYER, digest: diffId, size: layerBytes.length };
  const configJson = Buffer.from(JSON.stringify({
    created: EPOCH.toISOString(),
    architecture: 'amd64',
    os: 'linux',
    config: spec.config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: EPOCH.toISOString(), created_by: 'k8ts image builder' }],
  }));
  const configDesc: Descriptor = { mediaType: MEDIA_TYPE_CONFIG, digest: sha256(configJson), size: configJson.length };
  const manifestJson = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE_MANIFEST, config: configDesc, layers: [layerDesc] }));
  const manifestDesc: Descriptor = { mediaType: MEDIA_TYPE_MANIFEST, digest: sha256(manifestJson), size: manifestJson.length };
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_INDEX,
    manifests: [...spec.names].sort().map((name) => ({
      ...manifestDesc,
      annotations: { [ANNOTATION_CONTAINERD_NAME]: name, [ANNOTATION_REF_NAME]: tagOf(name) },
      platform: { architecture: 'amd64', os: 'linux' },
    })),
  };
  const blob = (d: Descriptor, body: Buffer) => ({ header: { name: `blobs/sha256/${d.digest.slice('sha256:'.length)}`, type: 'file' as const, mode: 0o644, size: body.length }, body });
  const indexJson = Buffer.from(JSON.stringify(index));
  const layoutJson = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const tarball = await buildTar([
    { header: { name: 'blobs/', type: 'directory', mode: 0o755 } },
    { header: { name: 'blobs/sha256/', type: 'directory', mode: 0o755 } },
    blob(layerDesc, layerBytes),
    blob(configDesc, configJson),
    blob(manifestDesc, manifestJson),
    { header: { name: 'index.json', type: 'file', mode: 0o644, size: indexJson.length }, body: indexJson },
    { header: { name: 'oci-layout', type: 'file', mode: 0o644, size: layoutJson.length }, body: layoutJson },
  ]);
  return { tarball, manifest: manifestDesc, config: configDesc, layer: layerDesc, diffId };
}
