#include "common.h"

#include "llama.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace cogito {

Napi::Error make_error(Napi::Env env, const std::string & code, const std::string & message) {
    Napi::Error err = Napi::Error::New(env, message);
    err.Value().Set("code", Napi::String::New(env, code));
    return err;
}

void throw_error(Napi::Env env, const std::string & code, const std::string & message) {
    throw make_error(env, code, message);
}

int32_t hardware_threads() {
#if defined(__linux__)
    // the CPUs this process may run on: a container pinned to 2 of a host's 64 cores gets 2
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
#endif
    return (int32_t) std::max(1u, std::thread::hardware_concurrency());
}

void fix_mmap_threshold() {
#if defined(__GLIBC__)
    // glibc raises its mmap threshold after the first large free, and from then on model, context
    // and sidecar buffers come from per-thread arenas that keep them resident after they are freed
    // (RSS stepping up over load/dispose cycles). Fixing the threshold at its default keeps large
    // buffers mmap'd, so freeing them returns them to the system.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

void release_freed_memory() {
#if defined(__GLIBC__)
    // every arena, not only the calling thread's: the memory was freed where it was allocated
    malloc_trim(0);
#endif
}

static thread_local bool        capturing = false;
static thread_local std::string captured;
static bool                     verbose = std::getenv("COGITO_VERBOSE") != nullptr;

static void log_handler(ggml_log_level level, const char * text, void * /*user_data*/) {
    if (verbose) {
        fputs(text, stderr);
    }
    if (capturing && (level == GGML_LOG_LEVEL_ERROR || level == GGML_LOG_LEVEL_WARN || level == GGML_LOG_LEVEL_CONT)) {
        captured += text;
        if (captured.size() > 4096) {
            captured.erase(0, captured.size() - 4096);
        }
    }
}

void install_log_handler() {
    llama_log_set(log_handler, nullptr);
}

void log_capture_begin() {
    capturing = true;
    captured.clear();
}

std::string log_capture_end() {
    capturing = false;
    std::string out;
    // keep the last non-empty line: llama.cpp puts the reason there
    size_t end = captured.find_last_not_of("\n ");
    if (end != std::string::npos) {
        size_t start = captured.rfind('\n', end);
        out = captured.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
    }
    captured.clear();
    return out;
}

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

void Hasher::update(const void * data, size_t n) {
    const uint8_t * p = static_cast<const uint8_t *>(data);
    const uint64_t P1 = 0x9E3779B185EBCA87ull;
    const uint64_t P2 = 0xC2B2AE3D27D4EB4Full;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = rotl(h ^ (w * P2), 31) * P1;
    }
    uint64_t tail = 0;
    for (size_t k = 0; i < n; ++i, ++k) {
        tail |= uint64_t(p[i]) << (8 * k);
    }
    h = rotl(h ^ (tail * P2) ^ n, 27) * P1;
}

std::string Hasher::hex() const {
    uint64_t x = h;
    x ^= x >> 33; x *= 0xFF51AFD7ED558CCDull; x ^= x >> 33; x *= 0xC4CEB9FE1A85EC53ull; x ^= x >> 33;
    char buf[17];
    snprintf(buf, sizeof(buf), "%016llx", (unsigned long long) x);
    return buf;
}

} // namespace cogito
