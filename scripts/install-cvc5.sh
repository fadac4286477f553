#!/usr/bin/env bash
# Installs the cvc5 SMT solver (Debian package) so cogito's logic layer can run it beside Z3.
# A no-op when a cvc5 binary is already on PATH. Needs root (or sudo) and apt.
set -euo pipefail
if command -v cvc5 >/dev/null 2>&1; then
  echo "cvc5 already installed: $(command -v cvc5)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq cvc5
cvc5 --version | head -1
