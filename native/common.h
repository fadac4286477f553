// Shared helpers for the cogito addon: typed errors and small conversions.
#pragma once

#include <napi.h>

#include "ggml-backend.h"
#include "ggml.h"
#include "gguf.h"

#include <cstdio>
#include <memory>
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

// RAII owners for ggml, gguf and stdio handles.
struct gguf_deleter { void operator()(gguf_context * c) const { gguf_free(c); } };
struct ggml_deleter { void operator()(ggml_context * c) const { ggml_free(c); } };
struct buffer_deleter { void operator()(ggml_backend_buffer_t b) const { ggml_backend_buffer_free(b); } };
struct file_deleter { void operator()(FILE * f) const { fclose(f); } };
using gguf_ptr   = std::unique_ptr<gguf_context, gguf_deleter>;
using ggml_ptr   = std::unique_ptr<ggml_context, ggml_deleter>;
using buffer_ptr = std::unique_ptr<ggml_backend_buffer, buffer_deleter>;
using file_ptr   = std::unique_ptr<FILE, file_deleter>;

// The threads a context or trainer uses unless told: one per CPU this process may run on.
// llama.cpp's own default is 4, which on a 2-core machine leaves threads spinning at every barrier.
int32_t hardware_threads();

// A fast 64-bit hash (for model fingerprints; not cryptographic).
struct Hasher {
    uint64_t h = 0x9E3779B97F4A7C15ull;
    void update(const void * data, size_t n);
    std::string hex() const;
};

} // namespace cogito
