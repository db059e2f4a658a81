#!/usr/bin/env bash
# Sets up k8ts (idempotent) and runs the whole cluster on this machine in the foreground.
# Arguments go to `k8ts server` (e.g. --data-dir DIR, --https-port N).
set -euo pipefail
# No cd: a relative --data-dir means relative to where the user is.
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"

# Same default as `k8ts server`: /var/lib/k8ts for root, else ~/.k8ts.
if ((EUID == 0)); then data_dir=/var/lib/k8ts; else data_dir="$HOME/.k8ts"; fi
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --data-dir=*) data_dir="${args[i]#--data-dir=}" ;;
    --data-dir) ((i + 1 < ${#args[@]})) && data_dir="${args[i + 1]}" ;;
  esac
done
data_dir="$(realpath -m "$data_dir")"

printf '\nk8ts: once the API is ready, point kubectl at it with:\n  export KUBECONFIG=%s/kubeconfig.yaml\n\n' "$data_dir"
# The whole cluster with this machine as its node (containerd, real containers); pass
# --disable-agent for the control plane alone or --simulated-nodes N for simulated nodes.
exec "$root/bin/k8ts" server "$@"
