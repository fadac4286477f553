'use strict';
// What the benchmarks record about the machine they ran on, and where they find llama.cpp's own
// tools (scripts/build-peers.js builds them into build/peers/build/bin).

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

// the figures are only comparable on an otherwise idle machine: record how busy it was
function load() {
  const r = spawnSync('uptime', { encoding: 'utf8' });
  return { uptime: r.status === 0 ? r.stdout.trim() : null, loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) };
}

/** "CPU model, N cores": the short form the results files carry. */
function machine() {
  return `${os.cpus()[0].model}, ${os.cpus().length} cores`;
}

/** The CPU as lscpu describes it (model, cores, flags), for results that must say which kernels ran. */
function cpu() {
  const r = spawnSync('lscpu', { encoding: 'utf8' });
  const fields = {};
  if (r.status === 0) {
    for (const line of r.stdout.split('\n')) {
      const at = line.indexOf(':');
      if (at > 0) fields[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return {
    model: fields['Model name'] ?? os.cpus()[0].model,
    cpus: os.cpus().length,
    threads_per_core: fields['Thread(s) per core'] ? Number(fields['Thread(s) per core']) : null,
    flags: fields.Flags ? fields.Flags.split(/\s+/) : null,
  };
}

/**
 * What the results file records of cogito's build beside its ratios (from systemInfo()): the CPU
 * kernels running, the AMX decision and whether AMX ran, the CPU variant (and the one loaded), the llama.cpp release.
 * The same figures mean different things on an AMX host and on one without.
 */
function buildFacts(info) {
  return {
    cpu_features: Object.entries(info.cpu.features).filter(([, on]) => on).map(([name]) => name),
    cpu_variant: info.cpu.variant,
    // a portable build's variant loaded (zen4, sapphirerapids, ...); `static` for a native build
    cpu_variant_loaded: info.cpu.loadedVariant.name,
    cpu_extra_buffers: info.cpu.extraBuffers,
    amx: info.build.amx,
    amx_active: info.cpu.amxActive,
    llama_tag: info.build.llamaTag,
  };
}

/** The path of a peer tool, or an error that says how to build it. */
function peerBinary(name, buildCommand = 'npm run build:peers') {
  const bin = path.join(root, 'build', 'peers', 'build', 'bin', name);
  if (!fs.existsSync(bin)) throw new Error(`${name} is missing: run ${buildCommand}`);
  return bin;
}

module.exports = { load, machine, cpu, buildFacts, peerBinary };
