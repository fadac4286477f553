import * as os from 'node:os';
import { nativeSync } from './errors';
import { addon, type NativeBackendDevice, type NativeCpuVariant } from './native';
import { availableCpus, idleCpus } from './resources';

/** The machine and the build `cogito info` describes, and benchmarks record beside their figures. */
export interface SystemInfo {
  /** ggml's backends (CPU, and a GPU backend when built with COGITO_GPU) and their devices. */
  backends: { name: string; devices: NativeBackendDevice[] }[];
  cpu: {
    model: string;
    /** The CPU kernels of the CPU code running (ggml_backend_get_features), e.g. AVX2, AVX512, AMX_INT8. */
    features: Record<string, boolean>;
    /**
     * Which CPU code: `native` (ggml-cpu built with -march=native of the build host, linked in) or
     * `portable` (COGITO_PORTABLE=1: ggml's CPU variants beside the addon, the best for this CPU loaded
     * at start; `loadedVariant` names it).
     */
    variant: 'native' | 'portable';
    /** The CPU code loaded: the variant's tag, file and score, and every candidate's score (`static` for a native build). */
    loadedVariant: NativeCpuVariant;
    /** Extra weight buffers the CPU backend uses (CPU_REPACK; AMX when its kernels are in and the OS granted the tile state). */
    extraBuffers: string[];
    /** True when ggml's AMX kernels will run: compiled in and the AMX buffer type is available. */
    amxActive: boolean;
  };
  build: {
    /** The AMX decision of the build: `on (probe passed)`, `off (not advertised by the CPU: …)`, `on (forced by COGITO_CPU_AMX=ON)`. */
    amx: string;
    gpu: string;
    /** node-llama-cpp's llama.cpp release the source comes from, and ggml's version and commit. */
    llamaTag: string;
    ggmlVersion: string;
    ggmlCommit: string;
  };
  threads: {
    /** CPUs this process may run on. */
    available: number;
    /** CPUs not kept busy by other processes: the default thread count for models of 5M parameters and more. */
    idle: number;
  };
  supportsGpuOffload: boolean;
  /** llama.cpp's own one-line summary (llama_print_system_info). */
  llama: string;
}

/** The backends, CPU kernels and build decisions of the loaded addon. */
export function systemInfo(): SystemInfo {
  const n = nativeSync(() => addon().systemInfo());
  return {
    backends: n.backends,
    cpu: {
      model: os.cpus()[0]?.model ?? 'unknown',
      features: n.cpuFeatures,
      variant: n.build.portable ? 'portable' : 'native',
      loadedVariant: n.cpuVariant,
      extraBuffers: n.cpuExtraBuffers,
      amxActive: n.cpuFeatures.AMX_INT8 === true && n.cpuExtraBuffers.includes('AMX'),
    },
    build: { amx: n.build.amxReason, gpu: n.build.gpu, llamaTag: n.build.llamaTag, ggmlVersion: n.build.ggmlVersion, ggmlCommit: n.build.ggmlCommit },
    threads: { available: availableCpus(), idle: idleCpus() },
    supportsGpuOffload: n.supportsGpuOffload,
    llama: n.llama,
  };
}
