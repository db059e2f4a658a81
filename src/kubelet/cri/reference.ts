// Image name normalization as the docker reference library does it (the names containerd stores):
// `busybox` → `docker.io/library/busybox:latest`, `me/app:1` → `docker.io/me/app:1`,
// `registry.local:5000/app` → `registry.local:5000/app:latest`; digests are kept.

const DEFAULT_DOMAIN = 'docker.io';

export function normalizeImageName(name: string): string {
  let rest = name.trim();
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at);
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let domain = hasDomain ? first : DEFAULT_DOMAIN;
  let path = hasDomain ? rest.slice(slash + 1) : rest;
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  const lastSlash = path.lastIndexOf('/');
  const hasTag = path.indexOf(':', lastSlash + 1) >= 0;
  if (!hasTag && !digest) path = `${path}:latest`;
  return `${domain}/${path}${digest}`;
}
