// Shared helpers for the cogito addon: typed errors and small conversions.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

namespace cogito {

// Errors carry a stable `code` so the TypeScript layer can map them to typed classes.
struct Failure {
    std::string code;
    std::string message;
};

Napi::Error make_error(Napi::Env env, const std::string & code, const std::string & message);
[[noreturn]] void throw_error(Napi::Env env, const std::string & code, const std::string & message);

// The most recent error lines llama.cpp logged on this thread, to explain a failed call.
void        log_capture_begin();
std::string log_capture_end();
void        install_log_handler();

// A fast 64-bit hash (for model fingerprints; not cryptographic).
struct Hasher {
    uint64_t h = 0x9E3779B97F4A7C15ull;
    void update(const void * data, size_t n);
    std::string hex() const;
};

} // namespace cogito
