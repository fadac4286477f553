// Training through llama.cpp's llama_opt_* API: AdamW with a cosine schedule, loss on target
// tokens only, progress and cancellation, and saving the trained model (issue 4 §1).
#pragma once

#include <napi.h>

#include "common.h"
#include "llama.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace cogito {

// The learning-rate schedule and AdamW settings; read on the worker thread at each optimizer step.
struct TrainSchedule {
    float   lr           = 1e-3f;
    float   lr_min       = 1e-4f;
    int64_t warmup_steps = 0;
    int64_t total_steps  = 1;
    float   beta1        = 0.9f;
    float   beta2        = 0.999f;
    float   eps          = 1e-8f;
    float   weight_decay = 0.0f;
};

// A model loaded for training with its training context (no flash attention, f32 KV cache).
// Trainable tensors: all f32 tensors, including token_embd.weight (llama_patch/0003) unless
// frozen by name; a later trainer (the sidecar) can pass its own filter the same way.
class Trainer : public Napi::ObjectWrap<Trainer> {
  public:
    static Napi::Object Init(Napi::Env env, Napi::Object exports);
    static Napi::FunctionReference constructor;

    explicit Trainer(const Napi::CallbackInfo & info);
    ~Trainer() override;

    // set by the open worker before the JS object is handed out
    llama_model   * model = nullptr;
    llama_context * ctx   = nullptr;
    uint32_t        n_ctx = 0;
    uint32_t        window = 0; // positions one training example spans (llama_opt's n_ctx_train; n_ctx unless set)
    int64_t         n_trainable = 0;
    // the sidecar tensors the optimizer state was made for (ggml-opt keys it by graph node):
    // set by the first sidecar training run, and every later run must train the same ones
    std::vector<std::string> sidecar_params;

    TrainSchedule     schedule;
    std::atomic<int64_t> step{0};   // optimizer steps taken so far
    std::atomic<bool> cancel{false};
    std::atomic<bool> busy{false};

  private:
    Napi::Value Run(const Napi::CallbackInfo & info);
    Napi::Value Cancel(const Napi::CallbackInfo & info);
    Napi::Value Save(const Napi::CallbackInfo & info);
    Napi::Value Info(const Napi::CallbackInfo & info);
    Napi::Value Dispose(const Napi::CallbackInfo & info);
};

// openTrainer({model, nCtx, threads, freeze: string[]}) -> Promise<Trainer>
Napi::Value OpenTrainer(const Napi::CallbackInfo & info);

// Throws unless the trainer is open and idle.
void check_ready(Napi::Env env, const Trainer * t);

// A copy of a JS typed array's elements as T (the caller names the argument for errors).
template <typename T>
std::vector<T> typed_vector(Napi::Env env, Napi::Value v, const char * name) {
    if (!v.IsTypedArray()) throw_error(env, "INVALID_ARGUMENT", std::string(name) + " must be a typed array");
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    const T * p = reinterpret_cast<const T *>(static_cast<const uint8_t *>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
    if (ta.ByteLength() % sizeof(T) != 0) throw_error(env, "INVALID_ARGUMENT", std::string(name) + " has the wrong element size");
    return std::vector<T>(p, p + ta.ByteLength() / sizeof(T));
}

// The learning rate at an optimizer step: linear warm-up, then cosine decay to lr_min.
float schedule_lr(const TrainSchedule & s, int64_t step);

// Reports to JS while a run trains (both the base and the sidecar trainers).
struct Progress {
    int32_t epoch;
    int64_t window, windows, step;
    double loss;    // mean loss per target token of this window
    double lr;
    double elapsed, eta;
};

// What a finished run resolves with (both trainers): per-epoch loss, steps, time, cancelled.
Napi::Object run_result(Napi::Env env, const std::vector<double> & epoch_loss, int64_t steps, double seconds, bool cancelled);

// The JS object a progress callback receives (the same for both trainers).
Napi::Object progress_object(Napi::Env env, const Progress & p);

void init_train(Napi::Env env, Napi::Object exports);
void init_sidecar_train(Napi::Env env, Napi::Object exports);

} // namespace cogito
