// systemInfo() and `cogito info` over the real addon: the backends ggml registered, the CPU kernels
// compiled in, and the AMX decision the build was made with (scripts/cpu-amx.js's record).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemInfo } from '../../src/engine';
import { buildProgram } from '../../src/cli';
import { formatSystemInfo } from '../../src/cli/commands/info';

const REPO = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildFacts } = require('../../bench/host.js') as { buildFacts(info: unknown): Record<string, unknown> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cpuFlags } = require('../../scripts/cpu-amx.js') as { cpuFlags(cpuinfo: string): Set<string> };

const info = systemInfo();

test('the backends include the CPU, with a CPU device', () => {
  const cpu = info.backends.find((b) => b.name === 'CPU');
  expect(cpu).toBeDefined();
  expect(cpu!.devices.map((d) => d.type)).toContain('cpu');
  for (const d of cpu!.devices) expect(d.name.length).toBeGreaterThan(0);
});

test('features is an object of booleans, the same list llama.cpp prints', () => {
  const entries = Object.entries(info.cpu.features);
  expect(entries.length).toBeGreaterThan(10);
  for (const [, on] of entries) expect(typeof on).toBe('boolean');
  // llama_print_system_info lists exactly the features that are on (as "NAME = 1")
  for (const [name, on] of entries) expect(info.llama.includes(`${name} = 1`)).toBe(on);
});

const x64Native = process.arch === 'x64' && process.platform === 'linux' && info.cpu.variant === 'native';

(x64Native ? test : test.skip)('a native x86-64 build compiles the kernels this CPU advertises', () => {
  const flags = cpuFlags(readFileSync('/proc/cpuinfo', 'utf8'));
  expect(info.cpu.features.AVX2).toBe(flags.has('avx2'));
  expect(info.cpu.features.AVX512).toBe(flags.has('avx512f'));
  expect(info.cpu.features.AVX512_VNNI).toBe(flags.has('avx512_vnni'));
});

test('the CPU code loaded is named: `static` for a native build, a variant beside the addon for a portable one', () => {
  const v = info.cpu.loadedVariant;
  if (info.cpu.variant === 'native') {
    expect(v).toEqual({ name: 'static', file: expect.stringMatching(/cogito\.node$/), score: 0, candidates: [] });
  } else {
    expect(v.file).toMatch(new RegExp(`ggml-cpu-${v.name}\\.`));
    expect(v.candidates.map((c) => c.name)).toContain(v.name);
  }
  expect(formatSystemInfo(info)).toContain(`  variant: ${info.cpu.variant}`);
});

test('the AMX decision matches the probe\'s record, and AMX runs only when it is on', () => {
  const record = join(REPO, 'build', 'cpu-amx.json');
  expect(existsSync(record)).toBe(true);
  const cached = JSON.parse(readFileSync(record, 'utf8')) as { amx: boolean; decision: string };
  expect(info.build.amx).toBe(cached.decision);
  expect(info.build.amx.startsWith(cached.amx ? 'on (' : 'off (')).toBe(true);
  if (x64Native) expect(info.cpu.features.AMX_INT8).toBe(cached.amx);
  if (!cached.amx) {
    expect(info.cpu.amxActive).toBe(false);
    expect(info.cpu.extraBuffers).not.toContain('AMX');
  }
});

test('the build names its llama.cpp release and threads are positive', () => {
  expect(info.build.llamaTag).toMatch(/^v\d+\.\d+/);
  expect(info.build.ggmlVersion.length).toBeGreaterThan(0);
  expect(info.threads.available).toBeGreaterThanOrEqual(1);
  expect(info.threads.idle).toBeGreaterThanOrEqual(1);
  expect(info.threads.idle).toBeLessThanOrEqual(info.threads.available);
});

test('cogito info --json prints systemInfo(); the text form names the kernels and the AMX decision', async () => {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await buildProgram().parseAsync(['node', 'cogito', 'info', '--json']);
  } finally {
    spy.mockRestore();
  }
  const printed = JSON.parse(written.join('')) as typeof info;
  expect(printed.cpu.features).toEqual(info.cpu.features);
  expect(printed.build).toEqual(info.build);
  const text = formatSystemInfo(info);
  expect(text).toContain(`AMX: ${info.build.amx}`);
  for (const [name, on] of Object.entries(info.cpu.features)) if (on) expect(text).toContain(name);
});

test('the engine bench records the compiled kernels and the AMX decision', () => {
  const facts = buildFacts(info);
  expect(facts.amx).toBe(info.build.amx);
  expect(facts.cpu_features).toEqual(Object.keys(info.cpu.features).filter((k) => info.cpu.features[k]));
  expect(facts.amx_active).toBe(info.cpu.amxActive);
});
