#!/usr/bin/env bash
# Gateway overhead benchmark: Perimeter vs nginx direct vs LiteLLM proxy vs Portkey gateway.
#
#   bash benchmarks/gateway_overhead/run.sh            # full run (~12-15 min with peers)
#   bash benchmarks/gateway_overhead/run.sh --quick    # ~2-3 min
#   bash benchmarks/gateway_overhead/run.sh --no-peers # Perimeter vs nginx only
#   (any other flag goes to bench.py: --help lists them)
#
# Installs what it needs when missing (idempotent): nginx, wrk and hey from Debian; LiteLLM and
# py-spy into venvs and Portkey's gateway into an npm project, all under $BENCH_ENVS (default
# /tmp/bench-envs), never inside the repository.  A peer whose install fails is skipped with a
# message; the run goes on without it.  Results: benchmarks/gateway_overhead/results/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
BENCH_ENVS="${BENCH_ENVS:-/tmp/bench-envs}"
LITELLM_SPEC="${LITELLM_SPEC:-litellm[proxy]}"
PORTKEY_SPEC="${PORTKEY_SPEC:-@portkey-ai/gateway}"
# Portkey's Node server breaks with newer @hono/node-server releases (TypeError: immutable in
# updateHeaders; Portkey-AI/gateway#1389, #1550): pin the last release its streaming path works with.
PORTKEY_HONO_NODE_SERVER="${PORTKEY_HONO_NODE_SERVER:-1.12.0}"
PY="${PYTHON:-$REPO/.venv/bin/python}"

say() { printf '[run.sh] %s\n' "$*" >&2; }

peers=1
for arg in "$@"; do
  [[ "$arg" == "--no-peers" ]] && peers=0
  if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then exec "$PY" "$HERE/bench.py" --help; fi
done

if [[ ! -x "$PY" ]]; then
  say "no Python at $PY: run 'make venv' first (or set PYTHON=...)"
  exit 2
fi
if [[ ! -x "$REPO/.venv/bin/perimeter" ]]; then
  say "no perimeter executable in $REPO/.venv/bin: run 'make venv' first"
  exit 2
fi

# ---------------------------------------------------------------- system tools (Debian)
need_pkgs=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need_pkgs+=(nginx)
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
command -v hey >/dev/null 2>&1 || need_pkgs+=(hey)
if ((${#need_pkgs[@]})); then
  say "installing ${need_pkgs[*]} from Debian"
  SUDO=""
  [[ "$(id -u)" -ne 0 ]] && SUDO="sudo"
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}" >&2; then
    $SUDO apt-get update >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}" >&2
  fi
fi
export PATH="$PATH:/usr/sbin"

# ---------------------------------------------------------------- peers (throwaway environments)
install_litellm() {
  local env="$BENCH_ENVS/litellm"
  if [[ -x "$env/bin/litellm" ]] && "$env/bin/python" -c "import litellm.proxy.proxy_server" >/dev/null 2>&1; then
    return 0
  fi
  say "installing $LITELLM_SPEC into $env (one-off, a few minutes)"
  rm -rf "$env"
  python3 -m venv "$env" && "$env/bin/pip" install -q "$LITELLM_SPEC" >&2
}

install_pyspy() {
  local env="$BENCH_ENVS/pyspy"
  [[ -x "$env/bin/py-spy" ]] && return 0
  say "installing py-spy into $env (CPU per request by stage)"
  python3 -m venv "$env" && "$env/bin/pip" install -q py-spy >&2
}

install_portkey() {
  local dir="$BENCH_ENVS/portkey"
  local server="$dir/node_modules/@portkey-ai/gateway/build/start-server.js"
  local pinned="$dir/node_modules/@hono/node-server/package.json"
  if [[ -f "$server" && -f "$pinned" ]] && grep -q "\"version\": \"$PORTKEY_HONO_NODE_SERVER\"" "$pinned"; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || { say "npm not found"; return 1; }
  say "installing $PORTKEY_SPEC into $dir (one-off)"
  mkdir -p "$dir"
  cat >"$dir/package.json" <<EOF
{
  "name": "perimeter-bench-portkey",
  "private": true,
  "dependencies": {"@hono/node-server": "$PORTKEY_HONO_NODE_SERVER"},
  "overrides": {"@hono/node-server": "$PORTKEY_HONO_NODE_SERVER"}
}
EOF
  (cd "$dir" && npm install --no-audit --no-fund "$PORTKEY_SPEC" >&2)
}

extra=()
mkdir -p "$BENCH_ENVS"
if ! install_pyspy; then
  say "no py-spy: the run goes on without CPU per request by stage"
fi
extra+=(--py-spy "$BENCH_ENVS/pyspy/bin/py-spy")
if ((peers)); then
  mkdir -p "$BENCH_ENVS"
  if ! install_litellm; then
    say "SKIPPING LiteLLM: its install failed (see above); the benchmark runs without it"
    extra+=(--litellm-env "$BENCH_ENVS/litellm-unavailable")
  fi
  if ! install_portkey; then
    say "SKIPPING Portkey: its install failed (see above); the benchmark runs without it"
    extra+=(--portkey-dir "$BENCH_ENVS/portkey-unavailable")
  fi
fi

cd "$REPO"
exec "$PY" "$HERE/bench.py" --litellm-env "$BENCH_ENVS/litellm" --portkey-dir "$BENCH_ENVS/portkey" \
  "${extra[@]}" "$@"
