// Context: a KV cache over a model, batch evaluation, sampling and layer taps.
#pragma once

#include <napi.h>

#include "attention.h"
#include "common.h"
#include "compute_thread.h"
#include "llama.h"
#include "sampling.h"
#include "sidecar.h"
#include "taps.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
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
    std::unique_ptr<ComputeThread> compute; // the one thread that decodes
    std::vector<std::thread::id> decode_threads; // the threads that ran its decodes (touched by them alone, one at a time)
    std::atomic<int32_t> n_decode_threads{0};    // their count, for graphCounters on the JS thread
    Napi::ObjectReference model_ref; // keeps the model alive while the context lives
    // Sequences: 1 for a plain context; a pool's context decodes up to n_seq at once (seq ids 0..n_seq-1).
    int32_t n_seq = 1;
    // positions each sequence may hold (the requested size: llama.cpp pads n_ctx to 256)
    int32_t seq_size = 0;
    // one sampler per sequence, indexed by seq id
    std::vector<SamplerState> samplers;
    // for tick(): each sequence's logits row from the last decode that asked for it, until sampled
    std::vector<std::vector<float>> seq_logits;
    std::vector<bool> has_logits;
    TapRecorder taps;
    Injector inj;
    std::unique_ptr<AttentionEntropy> attention; // with the attentionEntropy option: its eval callback's state
    Napi::ObjectReference sidecar_ref; // keeps the injected sidecar alive
    int32_t n_batch = 512;
    bool hook_installed = false; // whether llama.cpp holds our layer hook (setting it again forces a graph rebuild)
    std::atomic<bool> busy{false};

    llama_context * get(Napi::Env env);
    void free_all();
    // installs the layer hook while taps or an injection need it, and removes it otherwise
    void update_hook();
    void release_sidecar();

  private:
    Napi::Value Decode(const Napi::CallbackInfo & info);
    Napi::Value Step(const Napi::CallbackInfo & info);
    Napi::Value Tick(const Napi::CallbackInfo & info); // native/sequences.cpp
    Napi::Value RemoveFrom(const Napi::CallbackInfo & info);
    Napi::Value SetSampler(const Napi::CallbackInfo & info);
    Napi::Value SetTaps(const Napi::CallbackInfo & info);
    Napi::Value ResetTaps(const Napi::CallbackInfo & info);
    Napi::Value ReadTaps(const Napi::CallbackInfo & info);
    Napi::Value RecordAttentionEntropy(const Napi::CallbackInfo & info); // native/attention.cpp
    Napi::Value ReadAttentionEntropy(const Napi::CallbackInfo & info);   // native/attention.cpp
    Napi::Value SetInjection(const Napi::CallbackInfo & info);
    Napi::Value SetInjectionTokens(const Napi::CallbackInfo & info);
    Napi::Value ClearInjection(const Napi::CallbackInfo & info);
    Napi::Value Size(const Napi::CallbackInfo & info);
    Napi::Value BatchSize(const Napi::CallbackInfo & info);
    Napi::Value GraphPlacement(const Napi::CallbackInfo & info);
    Napi::Value GraphCounters(const Napi::CallbackInfo & info);
    Napi::Value Dispose(const Napi::CallbackInfo & info);
};

// An async operation on a context (claim_busy first): compute() runs on the context's own thread
// (native/compute_thread.h), the context stays alive meanwhile, and its busy flag is released after.
class ContextWorker : public ComputeJob {
  public:
    Napi::Promise queue() { return c->compute->submit(this); }

  protected:
    ContextWorker(Napi::Env env, Context * c, std::string code)
        : ComputeJob(env, std::move(code)), c(c), ref(Napi::Persistent(c->Value())) {}
    virtual void compute() = 0;

    Context * c;

  private:
    void run() final {
        const std::thread::id me = std::this_thread::get_id();
        if (std::find(c->decode_threads.begin(), c->decode_threads.end(), me) == c->decode_threads.end()) {
            c->decode_threads.push_back(me);
            c->n_decode_threads = (int32_t) c->decode_threads.size();
        }
        compute();
    }
    void finish() final { c->busy = false; }

    Napi::ObjectReference ref;
};

// Claims the context for one async operation (BUSY when another one runs); released in the worker's finish().
void claim_busy(Napi::Env env, Context * c);
// The sequence id argument at `index` (default 0), checked against the context's sequences.
int32_t seq_arg(const Napi::CallbackInfo & info, size_t index, const Context * c);

// createContext(model, {contextSize (per sequence), batchSize, threads, sequences, flashAttention, kvCacheType, attentionEntropy}) -> Promise<Context>
Napi::Value CreateContext(const Napi::CallbackInfo & info);

} // namespace cogito
