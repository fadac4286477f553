// The CPU backend through ggml's registry, and the runtime CPU variants of a portable build.
#include "backends.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#if defined(_WIN32)
#    define WIN32_LEAN_AND_MEAN
#    include <windows.h>
#else
#    include <dlfcn.h>
#endif

namespace cogito {

namespace fs = std::filesystem;

typedef ggml_threadpool_t (*threadpool_new_t)(ggml_threadpool_params * params);
typedef void (*threadpool_free_t)(ggml_threadpool_t pool);
typedef int (*backend_score_t)(void);

// The file of the shared object (the addon, a variant) that holds `address`.
static std::string module_file(const void * address) {
#if defined(_WIN32)
    HMODULE module = nullptr;
    if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCSTR) address, &module)) {
        return "";
    }
    char path[MAX_PATH];
    DWORD n = GetModuleFileNameA(module, path, MAX_PATH);
    return std::string(path, n);
#else
    Dl_info info;
    if (!dladdr(address, &info) || !info.dli_fname) return "";
    return info.dli_fname;
#endif
}

std::string addon_directory() {
    return fs::path(module_file((const void *) &addon_directory)).parent_path().string();
}

ggml_backend_reg_t cpu_backend_reg() {
    ggml_backend_dev_t dev = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
    return dev ? ggml_backend_dev_backend_reg(dev) : nullptr;
}

std::string load_backends() {
    // once per process: Node may load the addon again in a worker thread, and ggml's registry
    // (process-wide) would register a second copy of every backend loaded twice
    static std::once_flag once;
    static std::string failure;
    std::call_once(once, [] {
#ifdef GGML_BACKEND_DL
        const std::string dir = addon_directory();
        ggml_backend_load_all_from_path(dir.c_str());
        if (!cpu_backend_reg()) {
            failure = "no CPU backend could be loaded from " + dir + ": a portable build needs ggml's CPU variants "
                      "(libggml-cpu-*.so) beside cogito.node, and one of them must run on this CPU; rebuild with "
                      "\"COGITO_PORTABLE=1 npm run build:native\" or without COGITO_PORTABLE for this machine alone";
        }
#else
        if (!cpu_backend_reg()) failure = "this build of the addon has no CPU backend";
#endif
    });
    return failure;
}

ggml_backend_t cpu_backend_new(int n_threads) {
    ggml_backend_reg_t reg = cpu_backend_reg();
    if (!reg) return nullptr;
    ggml_backend_t backend = ggml_backend_init_by_type(GGML_BACKEND_DEVICE_TYPE_CPU, nullptr);
    auto set_n_threads = (ggml_backend_set_n_threads_t) ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads");
    if (backend && set_n_threads) set_n_threads(backend, n_threads);
    return backend;
}

ggml_threadpool_t cpu_threadpool_new(ggml_threadpool_params * params) {
    ggml_backend_reg_t reg = cpu_backend_reg();
    auto fn = reg ? (threadpool_new_t) ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_new") : nullptr;
    return fn ? fn(params) : nullptr;
}

void cpu_threadpool_free(ggml_threadpool_t pool) {
    if (!pool) return;
    ggml_backend_reg_t reg = cpu_backend_reg();
    auto fn = reg ? (threadpool_free_t) ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_free") : nullptr;
    if (fn) fn(pool);
}

#ifdef GGML_BACKEND_DL
static const char * variant_prefix() {
#    if defined(_WIN32)
    return "ggml-cpu-";
#    else
    return "libggml-cpu-";
#    endif
}

static const char * library_extension() {
#    if defined(_WIN32)
    return ".dll";
#    else
    return ".so";
#    endif
}

// `zen4` of .../libggml-cpu-zen4.so; empty when the name is not a CPU variant's
static std::string variant_tag(const fs::path & file) {
    const std::string name = file.filename().string();
    const std::string prefix = variant_prefix();
    const std::string ext = library_extension();
    if (name.size() <= prefix.size() + ext.size() || name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - ext.size(), ext.size(), ext) != 0) {
        return "";
    }
    return name.substr(prefix.size(), name.size() - prefix.size() - ext.size());
}

// ggml_backend_score of a variant library, as ggml's loader asks it (0: cannot run on this CPU)
static int variant_score(const std::string & file) {
#    if defined(_WIN32)
    HMODULE h = LoadLibraryA(file.c_str());
    if (!h) return 0;
    auto score = (backend_score_t) GetProcAddress(h, "ggml_backend_score");
    int s = score ? score() : 0;
    FreeLibrary(h);
    return s;
#    else
    void * h = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) return 0;
    auto score = (backend_score_t) dlsym(h, "ggml_backend_score");
    int s = score ? score() : 0;
    dlclose(h);
    return s;
#    endif
}
#endif

CpuVariant cpu_variant() {
    CpuVariant v;
    ggml_backend_reg_t reg = cpu_backend_reg();
    if (!reg) return v;
#ifdef GGML_BACKEND_DL
    void * features = ggml_backend_reg_get_proc_address(reg, "ggml_backend_get_features");
    v.file = features ? module_file(features) : "";
    v.name = variant_tag(v.file);
    if (v.name.empty()) v.name = fs::path(v.file).filename().string();
    v.score = v.file.empty() ? 0 : variant_score(v.file);
#else
    v.name = "static";
    v.file = module_file((const void *) &cpu_variant);
#endif
    return v;
}

std::vector<CpuVariantScore> cpu_variant_scores() {
    std::vector<CpuVariantScore> scores;
#ifdef GGML_BACKEND_DL
    static std::once_flag once;
    static std::vector<CpuVariantScore> cached;
    std::call_once(once, [] {
        std::error_code ec;
        for (fs::directory_iterator it(addon_directory(), ec), end; !ec && it != end; it.increment(ec)) {
            const std::string tag = variant_tag(it->path());
            if (!tag.empty()) cached.push_back({ tag, variant_score(it->path().string()) });
        }
        std::sort(cached.begin(), cached.end(), [](const CpuVariantScore & a, const CpuVariantScore & b) { return a.name < b.name; });
    });
    scores = cached;
#endif
    return scores;
}

} // namespace cogito
