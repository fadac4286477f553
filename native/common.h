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

// Runs f off the JS thread: false when it threw, with the message, and the code of a CodedError
// in `code` (which otherwise keeps the caller's default).
template <typename F>
bool run_guarded(F && f, std::string & code, std::string & message) {
    try {
        f();
        return true;
    } catch (const CodedError & e) {
        code = e.code;
        message = e.what();
    } catch (const std::exception & e) {
        message = e.what();
    }
    return false;
}

// The boilerplate every async call of the addon shares, over Napi::AsyncWorker (PromiseWorker) or
// Napi::AsyncProgressQueueWorker<P> (ProgressPromiseWorker<P>): a promise; run() on a worker
// thread, where a thrown std::exception rejects the promise with the worker's code (a CodedError
// with its own); resolve() builds the value on the JS thread; finish() runs on the JS thread
// either way, before the promise settles (release a busy flag or a user count there).
template <typename Base>
class PromiseWorkerBase : public Base {
  public:
    // queues the worker; the promise settles when it is done
    Napi::Promise queue() {
        Napi::Promise p = deferred.Promise();
        this->Queue();
        return p;
    }

  protected:
    PromiseWorkerBase(Napi::Env env, std::string code)
        : Base(env), deferred(Napi::Promise::Deferred::New(env)), code(std::move(code)) {}
    virtual Napi::Value resolve(Napi::Env env) { return env.Undefined(); }
    virtual void finish() {}

    template <typename F>
    void guarded(F && f) {
        std::string message;
        if (!run_guarded(f, code, message)) this->SetError(message);
    }

  private:
    void OnOK() override {
        finish();
        deferred.Resolve(resolve(this->Env()));
    }
    void OnError(const Napi::Error & e) override {
        finish();
        deferred.Reject(make_error(this->Env(), code, e.Message()).Value());
    }

    Napi::Promise::Deferred deferred;
    std::string code;
};

class PromiseWorker : public PromiseWorkerBase<Napi::AsyncWorker> {
  protected:
    using PromiseWorkerBase::PromiseWorkerBase;
    virtual void run() = 0;

  private:
    void Execute() override { guarded([this] { run(); }); }
};

// P: what run() reports while it works (ExecutionProgress::Send); OnProgress hands it to JS.
template <typename P>
class ProgressPromiseWorker : public PromiseWorkerBase<Napi::AsyncProgressQueueWorker<P>> {
  protected:
    using ExecutionProgress = typename Napi::AsyncProgressQueueWorker<P>::ExecutionProgress;
    ProgressPromiseWorker(Napi::Env env, std::string code, Napi::Function on_progress)
        : PromiseWorkerBase<Napi::AsyncProgressQueueWorker<P>>(env, std::move(code)) {
        if (!on_progress.IsEmpty()) progress = Napi::Persistent(on_progress);
    }
    virtual void run(const ExecutionProgress & p) = 0;

    Napi::FunctionReference progress; // the JS callback, if any

  private:
    void Execute(const ExecutionProgress & p) override { this->guarded([this, &p] { run(p); }); }
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

// Hands the pages of freed memory back to the system. Call after freeing a context, a sidecar, a
// model or a trainer: their buffers are large, and once glibc has freed one block above its mmap
// threshold it raises the threshold to that size, so the next ones are carved from the arena of
// whichever libuv thread loaded them. Freed there, they stay resident, and load/dispose cycles
// spread over the worker threads' arenas grew RSS by tens of MB (test/sidecar/leak.test.ts).
void release_freed_memory();

// Keeps large allocations mmap'd (glibc only), so freed model and context buffers leave the process;
// called once when the addon loads.
void fix_mmap_threshold();

// A fast 64-bit hash (for model fingerprints; not cryptographic).
struct Hasher {
    uint64_t h = 0x9E3779B97F4A7C15ull;
    void update(const void * data, size_t n);
    std::string hex() const;
};

} // namespace cogito
