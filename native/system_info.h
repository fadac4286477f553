// What this build of the addon runs on: ggml's backends and devices, the CPU kernels running (the
// variant loaded, in a portable build), and the build's own decisions (AMX, portable, llama.cpp release), for `cogito info` and benchmarks.
#pragma once

#include <napi.h>

namespace cogito {

// systemInfo(): { llama, gpu, supportsGpuOffload, backends, cpuFeatures, cpuExtraBuffers, cpuVariant, build }
void init_system_info(Napi::Env env, Napi::Object exports);

} // namespace cogito
