// Shared helpers for the cogito addon: typed errors and small conversions.
#pragma once

#include <napi.h>

#include "ggml-backend.h"
#include "ggml.h"
#include "gguf.h"

#include <cstdio>
#include <memory>
#include <stdexcept>
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

// A failure with its own code, thrown on a worker thread (see PromiseWorker).
struct CodedError : std::runtime_error {
    std::string code;
    CodedError(std::string code, const std::string & message) : std::runtime_error(message), code(std::move(code)) {}
};

// The boilerplate every async call of the addon shares: a promise; run() on a worker thread,
// where a thrown std::exception rejects the promise with the worker's code (a CodedError with
// its own); resolve() on the JS thread builds the value; finish() runs on the JS thread either
// way, before the promise settles (release a busy flag or a user count there).
class PromiseWorker : public Napi::AsyncWorker {
  public:
    // queues the worker; the promise settles when it is done
    Napi::Promise queue() {
        Napi::Promise p = deferred.Promise();
        Queue();
        return p;
    }

  protected:
    PromiseWorker(Napi::Env env, std::string code)
        : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), code(std::move(code)) {}
    virtual void run() = 0;
    virtual Napi::Value resolve(Napi::Env env) { return env.Undefined(); }
    virtual void finish() {}

  private:
    void Execute() override {
        try {
            run();
        } catch (const CodedError & e) {
            code = e.code;
            SetError(e.what());
        } catch (const std::exception & e) {
            SetError(e.what());
        }
    }
    void OnOK() override {
        finish();
        deferred.Resolve(resolve(Env()));
    }
    void OnError(const Napi::Error & e) override {
        finish();
        deferred.Reject(make_error(Env(), code, e.Message()).Value());
    }

    Napi::Promise::Deferred deferred;
    std::string code;
};

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
