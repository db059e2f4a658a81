#!/usr/bin/env bash
# Installs what k8ts needs on Debian 12 with Node.js >= 20.19 and builds it. Run as root
# (for apt-get); safe to run again: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the project needs now.
DEBIAN_PACKAGES=(
  ca-certificates
  python3-kubernetes # client compatibility tests (the official Python client)
  # The node agent: a private containerd with runc, Debian's CNI plugins, iptables for the
  # service proxy, and busybox-static from which k8ts builds its pause and busybox images.
  containerd runc containernetworking-plugins iptables busybox-static
  # `ip` (cleanup of the pod bridge; the e2e tests' network namespaces), `nsenter` and mount.
  iproute2 util-linux mount
)

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# --- Node.js -------------------------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "Node.js >= 20.19 is required but 'node' is not on the PATH"
node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1);
' || die "Node.js >= 20.19 is required, found $(node --version)"

# --- Debian packages -----------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
has_candidate() { apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'; }

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  ((EUID == 0)) || die "missing Debian packages; as root run: apt-get install -y ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  need_update=false
  for pkg in "${missing[@]}"; do
    has_candidate "$pkg" || need_update=true
  done
  if $need_update; then
    log "apt-get update"
    apt-get update -qq
  fi
  log "installing ${missing[*]}"
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    # Stale package lists give 404s on download: refresh once and retry.
    log "install failed; apt-get update and retry"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

# --- npm dependencies ----------------------------------------------------------------------
# Native modules (better-sqlite3) build against Debian's Node headers in /usr/include/node.
export npm_config_nodedir=/usr
hash_file=node_modules/.k8ts-lock-hash
# The Node version is part of the hash: a different Node needs native modules rebuilt.
lock_hash="$( { cat package-lock.json; node --version; } | sha256sum | cut -d' ' -f1)"
if [[ -d node_modules && -f $hash_file && "$(cat "$hash_file")" == "$lock_hash" ]]; then
  log "node_modules matches package-lock.json"
else
  log "npm ci"
  ci_log="$(mktemp)"
  trap 'rm -f "$ci_log"' EXIT
  if ! npm ci --no-audit --no-fund >"$ci_log" 2>&1; then
    # The registry these machines use serves no binaries for other platforms, so the lock file
    # lacks those optional packages and `npm ci` refuses it as "not in sync". `npm install`
    # accepts it and installs the locked versions; it must not change the lock file.
    grep -q 'can only install packages when your package.json and package-lock.json' "$ci_log" || {
      cat "$ci_log" >&2
      die "npm ci failed"
    }
    log "npm ci refused the lock file (optional packages of other platforms missing); npm install"
    before="$(sha256sum package-lock.json)"
    npm install --no-audit --no-fund
    [[ "$(sha256sum package-lock.json)" == "$before" ]] ||
      die "npm install changed package-lock.json: it is out of date with package.json (review and commit it)"
  fi
  printf '%s\n' "$lock_hash" >"$hash_file"
fi

# --- build ---------------------------------------------------------------------------------
log "npm run build"
npm run build --silent
log "done"
