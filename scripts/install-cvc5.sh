#!/usr/bin/env bash
# Installs the cvc5 SMT solver (Debian package `cvc5`) so cogito's logic layer runs it beside Z3.
# Idempotent and quiet: a no-op when cvc5 is already on PATH. It only gives up without failing
# when cvc5 truly cannot be had here (no apt-get, no root/sudo, or no package in the archive):
# cogito then runs Z3 alone and says so. A failed install of an available package is an error.
set -euo pipefail

if command -v cvc5 >/dev/null 2>&1; then
  echo "cvc5: $(cvc5 --version 2>/dev/null | head -1)"
  exit 0
fi
unavailable() {
  echo "cvc5: not installed ($1); cogito will run Z3 alone" >&2
  exit 0
}
command -v apt-get >/dev/null 2>&1 || unavailable "no apt-get on this system"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else unavailable "needs root or passwordless sudo"; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || echo "cvc5: apt-get update failed; trying the cached package lists" >&2
if ! apt-cache show cvc5 >/dev/null 2>&1; then unavailable "no cvc5 package in the configured archives"; fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! $SUDO apt-get install -y -qq --no-install-recommends cvc5 >"$log" 2>&1; then
  cat "$log" >&2
  echo "cvc5: apt-get install failed" >&2
  exit 1
fi
echo "cvc5: $(cvc5 --version | head -1)"
