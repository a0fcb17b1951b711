#!/usr/bin/env bash
# Build manifests/Dockerfile without a Docker daemon (buildah, vfs storage, chroot isolation), then
# start the image and check that it serves: /health, MCP initialize, tools/list and a tool call, uid 10001.
#
#   bash scripts/build_image.sh            # as root; installs buildah and debootstrap if missing
#
# When python:3.11-slim cannot be pulled (no container registry is reachable here), the FROM line
# is satisfied by a stand-in built from Debian's packages: bookworm with Debian's Python 3.11, a
# venv at /usr/local (where the official image keeps its Python, so `pip` and the installed
# `mcp-workflows` land on the same paths), trusting this machine's CA bundle for pip. The
# Dockerfile itself is built unchanged. The image is started with `buildah run` (chroot), as
# podman's runtime may not set its rlimits in a sandbox. Storage: $CONTAINERS_ROOT.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' src/mcp_workflows/__init__.py)
IMAGE="localhost/mcp-workflows:${VERSION}"
BASE="docker.io/library/python:3.11-slim"
ROOT=${CONTAINERS_ROOT:-/var/tmp/mcp-workflows-containers}
BUILDAH=(buildah --root "$ROOT/storage" --runroot "$ROOT/run" --storage-driver vfs)
PORT=${SMOKE_PORT:-18931}

say() { printf '==> %s\n' "$*" >&2; }

need() {
  local missing=()
  for tool in buildah debootstrap curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if ((${#missing[@]})); then
    say "installing ${missing[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

stand_in_base() {
  local rootfs="$ROOT/rootfs-bookworm"
  say "$BASE cannot be pulled: building a stand-in from Debian bookworm's packages"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$rootfs" \
    http://deb.debian.org/debian >"$ROOT/debootstrap.log"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  chroot "$rootfs" python3 -m venv /usr/local
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$rootfs/etc/pip.conf"
  local ctr mnt
  ctr=$("${BUILDAH[@]}" from scratch)
  mnt=$("${BUILDAH[@]}" mount "$ctr")
  cp -a "$rootfs/." "$mnt/"
  "${BUILDAH[@]}" umount "$ctr" >/dev/null
  "${BUILDAH[@]}" config --env PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd python3 "$ctr"
  "${BUILDAH[@]}" commit -q "$ctr" "$BASE" >/dev/null
  "${BUILDAH[@]}" rm "$ctr" >/dev/null
  rm -rf "$rootfs"
}

SMOKE_CTR=""
SMOKE_PGID=""
cleanup() {
  [[ -n $SMOKE_PGID ]] && kill -- "-$SMOKE_PGID" 2>/dev/null
  [[ -n $SMOKE_CTR ]] && "${BUILDAH[@]}" rm "$SMOKE_CTR" >/dev/null
  return 0
}
trap cleanup EXIT

smoke() {
  local ctr session tools listing
  ctr=$("${BUILDAH[@]}" from --pull=false "$IMAGE")
  SMOKE_CTR=$ctr
  [[ $("${BUILDAH[@]}" run --isolation chroot "$ctr" -- id -u) == 10001 ]] || { say "not uid 10001"; return 1; }
  "${BUILDAH[@]}" run --isolation chroot "$ctr" -- python -c 'import mcp_workflows.server.redis_state.state' ||
    { say "the redis extra is missing: replicas could not share state (MCP_WORKFLOWS_REDIS_URL)"; return 1; }
  # Its own process group (setsid), so cleanup stops buildah run and the server it started.
  setsid "${BUILDAH[@]}" run --isolation chroot --network host "$ctr" -- \
    mcp-workflows serve --sandbox --transport http --port "$PORT" >"$ROOT/smoke.log" 2>&1 &
  SMOKE_PGID=$!
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
    kill -0 "$SMOKE_PGID" 2>/dev/null || { cat "$ROOT/smoke.log" >&2; return 1; }
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$PORT/health" | grep -q '"ok"'
  local headers=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
  session=$(curl -sf -D - -o /dev/null "${headers[@]}" "http://127.0.0.1:$PORT/mcp" -d \
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"smoke","version":"0"}}}' |
    tr -d '\r' | sed -n 's/^mcp-session-id: //Ip')
  [[ -n $session ]] || { say "initialize opened no session"; return 1; }
  curl -sf -o /dev/null "${headers[@]}" -H "mcp-session-id: $session" "http://127.0.0.1:$PORT/mcp" \
    -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  tools=$(curl -sf "${headers[@]}" -H "mcp-session-id: $session" "http://127.0.0.1:$PORT/mcp" \
    -d '{"jsonrpc":"2.0","id":2,"method":"tools/list"}')
  grep -q '"execute_workflow"' <<<"$tools" || { say "tools/list lacks execute_workflow"; return 1; }
  listing=$(curl -sf "${headers[@]}" -H "mcp-session-id: $session" "http://127.0.0.1:$PORT/mcp" \
    -d '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_workflows","arguments":{}}}')
  grep -q 'greeting' <<<"$listing" || { say "list_workflows did not list the sandbox's workflows"; return 1; }
  say "smoke test passed: /health, initialize, tools/list, list_workflows, uid 10001, redis extra"
}

[[ $EUID -eq 0 ]] || { echo "build_image.sh: run as root (buildah with chroot isolation)" >&2; exit 1; }
need
mkdir -p "$ROOT"
if ! "${BUILDAH[@]}" inspect --type image "$BASE" >/dev/null 2>&1 && ! "${BUILDAH[@]}" pull -q "$BASE" >/dev/null 2>&1; then
  stand_in_base
fi
say "buildah build -f manifests/Dockerfile -t $IMAGE ."
start=$(date +%s)
"${BUILDAH[@]}" build --format docker --pull=false --isolation chroot --network host -q \
  -f manifests/Dockerfile -t "$IMAGE" . >/dev/null
say "built in $(($(date +%s) - start)) s: $("${BUILDAH[@]}" images --format '{{.Name}}:{{.Tag}} {{.Size}}' "$IMAGE")"
smoke
