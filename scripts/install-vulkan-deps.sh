#!/usr/bin/env bash
# Installs from Debian/Ubuntu what `COGITO_GPU=vulkan npm install` needs: the Vulkan loader and
# headers (libvulkan-dev), the GLSL-to-SPIR-V compiler for ggml's shaders (glslc), the SPIR-V
# headers, Mesa's Vulkan drivers (lavapipe: a real Vulkan device on the CPU, so the Vulkan build
# runs and is tested on a machine without a GPU) and vulkaninfo (vulkan-tools) to see the devices.
# Idempotent and quiet: a no-op when every package is already installed. Unlike install-cvc5.sh
# it fails when it cannot install: the Vulkan build cannot be had without these.
set -euo pipefail

packages=(libvulkan-dev glslc spirv-headers mesa-vulkan-drivers vulkan-tools)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "vulkan deps: present (${packages[*]})"
  exit 0
fi
fail() {
  echo "vulkan deps: $1" >&2
  exit 1
}
command -v apt-get >/dev/null 2>&1 || fail "no apt-get on this system; install ${missing[*]} (or your system's equivalents) by hand"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else fail "needs root or passwordless sudo to install ${missing[*]}"; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || echo "vulkan deps: apt-get update failed; trying the cached package lists" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  fail "apt-get install ${missing[*]} failed"
fi
echo "vulkan deps: installed ${missing[*]}"
