#!/usr/bin/env node
'use strict';
// Whether the native builds compile ggml's AMX kernels. Decided once per host, before cmake runs,
// and given to both cogito's build (scripts/build-native.js) and the pristine llama.cpp peer build
// (scripts/build-peers.js), so benchmarks compare the same kernels.
//
// AMX goes in only when the CPU advertises it (amx_tile and amx_int8 in /proc/cpuinfo) AND a probe
// passes: cmake/amx-probe.c, compiled with -mamx-tile and run as a child process, asks Linux for
// the tile state (arch_prctl ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) and runs one tile
// instruction. VMs and sandboxes may advertise AMX without granting it; ggml's AMX kernels would
// then die with SIGILL. COGITO_CPU_AMX=ON|OFF in the environment forces either way.
//
// The probe's result is cached in build/cpu-amx.json for this host (CPU flags, kernel, compiler);
// the file also records the decision of the last build, which `cogito info` and tests compare with.
//
//   node scripts/cpu-amx.js           prints the decision
//   node scripts/cpu-amx.js --cmake   prints ON or OFF (binding.gyp's configure step)
//   node scripts/cpu-amx.js --reason  prints the reason alone

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const probeSource = path.join(root, 'cmake', 'amx-probe.c');
/** What ggml's AMX kernels need the CPU to advertise (they are int8 tile kernels). */
const REQUIRED_FLAGS = ['amx_tile', 'amx_int8'];

/** The CPU flags of /proc/cpuinfo's first processor (an empty set when there is no flags line). */
function cpuFlags(cpuinfo) {
  const line = cpuinfo.split('\n').find((l) => /^flags\s*:/.test(l));
  return new Set(line ? line.slice(line.indexOf(':') + 1).trim().split(/\s+/) : []);
}

/** The flags of REQUIRED_FLAGS the CPU does not advertise. */
function missingAmxFlags(flags) {
  return REQUIRED_FLAGS.filter((f) => !flags.has(f));
}

/**
 * Compiles cmake/amx-probe.c into `workDir` and runs it in a child process.
 * @returns {{ passed: boolean, detail: string }}
 */
function runProbe({ cc = process.env.CC || 'cc', workDir }) {
  fs.mkdirSync(workDir, { recursive: true });
  const exe = path.join(workDir, 'amx-probe');
  const built = spawnSync(cc, ['-O1', '-mamx-tile', '-o', exe, probeSource], { encoding: 'utf8' });
  if (built.error || built.status !== 0) {
    const why = built.error ? built.error.message : (built.stderr || '').trim().split('\n')[0];
    return { passed: false, detail: `the compiler cannot build the AMX probe with -mamx-tile: ${why}` };
  }
  const ran = spawnSync(exe, [], { encoding: 'utf8', timeout: 10000 });
  if (ran.signal) return { passed: false, detail: `the probe's tile instruction was killed by ${ran.signal}` };
  if (ran.status === 0) return { passed: true, detail: 'probe passed' };
  return { passed: false, detail: (ran.stdout || '').trim() || `the probe exited with ${ran.status}` };
}

/**
 * What this host can do, without the environment's override.
 * @returns {{ advertised: boolean, passed: boolean, detail: string }}
 */
function probeHost({ cpuinfo, cc, workDir, platform = process.platform, arch = process.arch }) {
  if (platform !== 'linux' || arch !== 'x64') {
    return { advertised: false, passed: false, detail: `no probe on ${platform}-${arch}: AMX is probed on x86-64 Linux only` };
  }
  const missing = missingAmxFlags(cpuFlags(cpuinfo));
  if (missing.length > 0) {
    return { advertised: false, passed: false, detail: `not advertised by the CPU: /proc/cpuinfo lacks ${missing.join(', ')}` };
  }
  return { advertised: true, ...runProbe({ cc, workDir }) };
}

/**
 * The decision from a probe and the COGITO_CPU_AMX override (ON, OFF, or unset).
 * @returns {{ amx: boolean, reason: string, decision: string }}
 */
function decide(probe, override) {
  let amx;
  let reason;
  const forced = override === undefined || override === '' ? null : String(override).toUpperCase();
  if (forced === 'ON' || forced === 'OFF') {
    amx = forced === 'ON';
    reason = `forced by COGITO_CPU_AMX=${forced}`;
  } else if (forced !== null) {
    throw new Error(`COGITO_CPU_AMX must be ON or OFF (got "${override}")`);
  } else {
    amx = probe.passed;
    reason = probe.detail;
  }
  // the reason ends up in a C string literal (cmake/cogito_build_info.h.in) and a cmake argument
  reason = reason.replace(/["\\\n\r]/g, ' ').replace(/[()]/g, '').trim();
  return { amx, reason, decision: `${amx ? 'on' : 'off'} (${reason})` };
}

/** The facts a cached probe result is valid for: a different CPU, kernel or compiler probes again. */
function hostFingerprint(cpuinfo, cc) {
  const version = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  return crypto.createHash('sha256')
    .update([...cpuFlags(cpuinfo)].sort().join(' '))
    .update(os.release())
    .update(version.status === 0 ? version.stdout.split('\n')[0] : `no ${cc}`)
    .digest('hex');
}

function readCpuinfo() {
  try {
    return fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

/**
 * The AMX decision for this host and environment, probing only when build/cpu-amx.json holds no
 * result for this host; records the decision there.
 * @returns {{ amx: boolean, reason: string, decision: string, probe: { advertised: boolean, passed: boolean, detail: string } }}
 */
function amxDecision({ env = process.env, buildDir = path.join(root, 'build') } = {}) {
  const cc = env.CC || 'cc';
  const cacheFile = path.join(buildDir, 'cpu-amx.json');
  const cpuinfo = readCpuinfo();
  const fingerprint = hostFingerprint(cpuinfo, cc);
  let probe = null;
  if (fs.existsSync(cacheFile)) {
    const cached = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
    if (cached.fingerprint === fingerprint) probe = cached.probe;
  }
  probe ??= probeHost({ cpuinfo, cc, workDir: path.join(buildDir, 'amx-probe') });
  const result = { ...decide(probe, env.COGITO_CPU_AMX), probe };
  fs.mkdirSync(buildDir, { recursive: true });
  fs.writeFileSync(cacheFile, JSON.stringify({ fingerprint, probe, amx: result.amx, decision: result.decision }, null, 2) + '\n');
  return result;
}

/** The cmake arguments both builds are configured with. */
function cmakeArgs(decision) {
  return [`-DCOGITO_CPU_AMX=${decision.amx ? 'ON' : 'OFF'}`, `-DCOGITO_CPU_AMX_REASON=${decision.reason}`];
}

module.exports = { REQUIRED_FLAGS, cpuFlags, missingAmxFlags, runProbe, probeHost, decide, amxDecision, cmakeArgs };

if (require.main === module) {
  const d = amxDecision();
  if (process.argv.includes('--cmake')) process.stdout.write(d.amx ? 'ON' : 'OFF');
  else if (process.argv.includes('--reason')) process.stdout.write(d.reason);
  else process.stdout.write(`cogito: AMX kernels ${d.decision}\n`);
}
