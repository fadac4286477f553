// Context: a KV cache over a model, batch evaluation, sampling and layer taps.
#pragma once

#include <napi.h>

#include "llama.h"
#include "sidecar.h"
#include "taps.h"

#include <atomic>
#include <vector>

namespace cogito {

class Context : public Napi::ObjectWrap<Context> {
  public:
    static Napi::Object Init(Napi::Env env, Napi::Object exports);
    static Napi::FunctionReference constructor;

    explicit Context(const Napi::CallbackInfo & info);
    ~Context() override;

    llama_context * ctx = nullptr;
    llama_model * model = nullptr;
    ggml_threadpool_t threadpool = nullptr; // owned: the same worker threads whichever libuv thread calls
    Napi::ObjectReference model_ref; // keeps the model alive while the context lives
    llama_sampler * sampler = nullptr;
    // the grammar sampler, when the output is constrained: outside the chain, so the prompt history
    // the chain's penalties accept never reaches it (see StepWorker)
    llama_sampler * grammar = nullptr;
    TapRecorder taps;
    Injector inj;
    Napi::ObjectReference sidecar_ref; // keeps the injected sidecar alive
    int32_t n_batch = 512;
    std::atomic<bool> busy{false};

    llama_context * get(Napi::Env env);
    void free_all();
    // installs the layer hook while taps or an injection need it, and removes it otherwise
    void update_hook();
    void release_sidecar();

  private:
    Napi::Value Decode(const Napi::CallbackInfo & info);
    Napi::Value Step(const Napi::CallbackInfo & info);
    Napi::Value RemoveFrom(const Napi::CallbackInfo & info);
    Napi::Value SetSampler(const Napi::CallbackInfo & info);
    Napi::Value SetTaps(const Napi::CallbackInfo & info);
    Napi::Value ResetTaps(const Napi::CallbackInfo & info);
    Napi::Value ReadTaps(const Napi::CallbackInfo & info);
    Napi::Value SetInjection(const Napi::CallbackInfo & info);
    Napi::Value SetInjectionTokens(const Napi::CallbackInfo & info);
    Napi::Value ClearInjection(const Napi::CallbackInfo & info);
    Napi::Value Size(const Napi::CallbackInfo & info);
    Napi::Value Dispose(const Napi::CallbackInfo & info);
};

// createContext(model, {contextSize, batchSize, threads, seed, flashAttention}) -> Promise<Context>
Napi::Value CreateContext(const Napi::CallbackInfo & info);

} // namespace cogito
