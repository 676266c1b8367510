# Shared helpers for the shell scripts: paths, ports and logging. Sourced, never run.
root="${root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
export PATH="$root/node_modules/.bin:$PATH"
# The CLI prints a TLS notice for every loopback connection; the local cluster has no TLS.
export PGSSLMODE="${PGSSLMODE:-disable}"

# Failures inside $(...) must stop the script too (bash leaves errexit off there by default).
shopt -s inherit_errexit 2>/dev/null || true

log() { printf '[nikita] %s\n' "$*" >&2; }
die() { printf '[nikita] error: %s\n' "$*" >&2; exit 1; }
