/**
 * The two builds the GPU parity suite compares, loaded side by side in one process: the CPU build
 * (the reference) and a GPU build — where each is, scripts/gpu-suite.js says: build/ and
 * build-vulkan/ after a plain `npm install`, build-cpu/ and build/ after `COGITO_GPU=vulkan npm
 * install`, or any GPU build named by COGITO_GPU_ADDON (a CUDA or Metal one, docs/gpu.md's checklist). Each gets its own copy of src/engine,
 * src/sidecar and src/loom (jest.isolateModules), so each copy's addon() loads its own .node file;
 * the two addons link their own ggml and llama.cpp and share nothing.
 */
import * as fs from 'node:fs';

type Engine = typeof import('../../src/engine');
type SidecarModule = typeof import('../../src/sidecar');
type Loom = { collect: typeof import('../../src/loom/collect').collect; trainSidecar: typeof import('../../src/loom/train-sidecar').trainSidecar };

export interface Build {
  name: 'cpu' | 'gpu';
  engine: Engine;
  sidecar: SidecarModule;
  loom: Loom;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { gpuSuiteAddons } = require('../../scripts/gpu-suite.js') as { gpuSuiteAddons: () => { cpu: string; gpu: string } };
// build/ and the folder beside it (scripts/gpu-suite.js: build-vulkan/, or build-cpu/ when build/ is
// the GPU build), which test:vulkan's pretest builds
export const { cpu: cpuAddonPath, gpu: gpuAddonPath } = gpuSuiteAddons();

function load(name: Build['name'], addonPath: string): Build {
  if (!fs.existsSync(addonPath)) {
    throw new Error(`${addonPath} is missing: build it first (node scripts/gpu-suite.js, which npm run test:vulkan runs first; docs/gpu.md)`);
  }
  const saved = process.env.COGITO_ADDON;
  process.env.COGITO_ADDON = addonPath;
  try {
    let build: Build | undefined;
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const native = require('../../src/engine/native') as typeof import('../../src/engine/native');
      native.addon(); // loaded now, while COGITO_ADDON names this build
      build = {
        name,
        engine: require('../../src/engine') as Engine,
        sidecar: require('../../src/sidecar') as SidecarModule,
        loom: {
          collect: (require('../../src/loom/collect') as typeof import('../../src/loom/collect')).collect,
          trainSidecar: (require('../../src/loom/train-sidecar') as typeof import('../../src/loom/train-sidecar')).trainSidecar,
        },
      };
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
    if (!build) throw new Error(`could not load the ${name} build`);
    const gpu = build.engine.systemInfo().build.gpu;
    if ((gpu === 'cpu') !== (name === 'cpu')) throw new Error(`${addonPath} is a COGITO_GPU=${gpu} build, not a ${name} one`);
    return build;
  } finally {
    if (saved === undefined) delete process.env.COGITO_ADDON;
    else process.env.COGITO_ADDON = saved;
  }
}

let builds: { cpu: Build; gpu: Build } | undefined;

/** Both builds, loaded once per test file. */
export function loadBuilds(): { cpu: Build; gpu: Build } {
  builds ??= { cpu: load('cpu', cpuAddonPath), gpu: load('gpu', gpuAddonPath) };
  return builds;
}

/** The scheduler's backends that are the device's (Vulkan0, CUDA0, MTL0): not the CPU's, nor BLAS (the CPU too, on macOS). */
export const isDeviceBackend = (name: string) => name !== 'CPU' && name !== 'BLAS';

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The largest absolute value: the scale a difference is read against. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Figures each test records, printed at the end of its file (docs/gpu.md quotes them). */
export const figures: Record<string, unknown> = {};
export function printFigures(file: string): void {
  process.stdout.write(`\nGPU parity figures (${file}):\n${JSON.stringify(figures, null, 2)}\n`);
}
