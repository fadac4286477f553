// The CPU backend as the addon uses it directly, the same way whether ggml-cpu is linked in (the
// default build) or is one of ggml's CPU variants loaded at run time (COGITO_PORTABLE=1, built with
// GGML_BACKEND_DL): everything goes through ggml's backend registry, never ggml-cpu's own symbols,
// which a portable build does not link.
#pragma once

#include "ggml-backend.h"
#include "ggml.h"

#include <string>
#include <vector>

namespace cogito {

// Loads the dynamic backends from the addon's own directory (never the current directory), once,
// before llama.cpp looks for devices. Without GGML_BACKEND_DL the backends are linked in and this
// only checks that the CPU one is there. Returns an empty string when a CPU backend is available,
// otherwise why not (the addon's entry point turns it into a NO_CPU_BACKEND error).
std::string load_backends();

// The directory cogito.node was loaded from.
std::string addon_directory();

// The CPU backend's registry entry (null only when load_backends failed).
ggml_backend_reg_t cpu_backend_reg();

// A new CPU backend with `n_threads` threads (null when there is no CPU backend).
ggml_backend_t cpu_backend_new(int n_threads);

// ggml-cpu's thread pools, through the registry.
ggml_threadpool_t cpu_threadpool_new(ggml_threadpool_params * params);
void cpu_threadpool_free(ggml_threadpool_t pool);

// Which CPU code is running: the variant's tag (`zen4`, `haswell`, ... or `static` when ggml-cpu is
// linked into the addon), the file it was loaded from, and its score (ggml_backend_score: higher is
// a better fit for this CPU; 0 for the static backend, which has none).
struct CpuVariant {
    std::string name;
    std::string file;
    int score = 0;
};
CpuVariant cpu_variant();

// Every libggml-cpu-*.so beside the addon with the score it gives this CPU (0: cannot run here).
// Empty for a static build.
struct CpuVariantScore {
    std::string name;
    int score = 0;
};
std::vector<CpuVariantScore> cpu_variant_scores();

} // namespace cogito
