#include "context.h"
#include "backends.h"
#include "common.h"
#include "grammar.h"
#include "model.h"


#include <algorithm>
#include <cmath>
#include <string>

namespace cogito {

Napi::FunctionReference Context::constructor;

Napi::Object Context::Init(Napi::Env env, Napi::Object exports) {
    Napi::Function fn = DefineClass(env, "Context", {
        InstanceMethod("decode", &Context::Decode),
        InstanceMethod("step", &Context::Step),
        InstanceMethod("tick", &Context::Tick),
        InstanceMethod("removeFrom", &Context::RemoveFrom),
        InstanceMethod("setSampler", &Context::SetSampler),
        InstanceMethod("setTaps", &Context::SetTaps),
        InstanceMethod("resetTaps", &Context::ResetTaps),
        InstanceMethod("readTaps", &Context::ReadTaps),
        InstanceMethod("recordAttentionEntropy", &Context::RecordAttentionEntropy),
        InstanceMethod("readAttentionEntropy", &Context::ReadAttentionEntropy),
        InstanceMethod("setInjection", &Context::SetInjection),
        InstanceMethod("setInjectionTokens", &Context::SetInjectionTokens),
        InstanceMethod("clearInjection", &Context::ClearInjection),
        InstanceMethod("size", &Context::Size),
        InstanceMethod("batchSize", &Context::BatchSize),
        InstanceMethod("graphPlacement", &Context::GraphPlacement),
        InstanceMethod("graphCounters", &Context::GraphCounters),
        InstanceMethod("dispose", &Context::Dispose),
    });
    constructor = Napi::Persistent(fn);
    constructor.SuppressDestruct();
    exports.Set("Context", fn);
    exports.Set("createContext", Napi::Function::New(env, CreateContext));
    return exports;
}

Context::Context(const Napi::CallbackInfo & info) : Napi::ObjectWrap<Context>(info), compute(std::make_unique<ComputeThread>(info.Env())) {}

Context::~Context() { free_all(); }

void Context::free_all() {
    const bool had_context = ctx != nullptr;
    release_sidecar();
    for (SamplerState & s : samplers) s.reset();
    compute.reset(); // its thread must not outlive the context it decodes for
    if (ctx) { llama_free(ctx); ctx = nullptr; }
    if (threadpool) { cpu_threadpool_free(threadpool); threadpool = nullptr; }
    if (!model_ref.IsEmpty()) model_ref.Reset();
    if (had_context) release_freed_memory();
}

void Context::release_sidecar() {
    if (sidecar_ref.IsEmpty()) return;
    Sidecar::Unwrap(sidecar_ref.Value())->users--;
    sidecar_ref.Reset();
    inj.clear();
}

// One hook for both users of it: the injection changes a layer's output, then taps read it.
static ggml_tensor * hook_build(void * ud, ggml_context * g, ggml_tensor * cur, int32_t il, int32_t n_tokens, const llama_pos * pos) {
    auto * c = static_cast<Context *>(ud);
    if (c->inj.active()) cur = c->inj.build(g, cur, il, n_tokens, pos);
    return TapRecorder::on_build(&c->taps, g, cur, il, n_tokens, pos);
}

static void hook_computed(void * ud, int32_t n_tokens, const llama_pos * pos) {
    auto * c = static_cast<Context *>(ud);
    // a GPU backend may still be computing the graph (ggml-vulkan and ggml-cuda run it asynchronously):
    // wait for it before the taps are read back (on the CPU backend this returns at once)
    llama_synchronize(c->ctx);
    TapRecorder::on_computed(&c->taps, n_tokens, pos);
}

// Taps add the same outputs to every graph, so only the injection's plan can tell two ubatches'
// graphs apart; equal keys let llama.cpp reuse the previous graph (no rebuild, no re-plan).
static uint64_t hook_graph_key(void * ud, int32_t n_tokens, const llama_pos * pos) {
    auto * c = static_cast<Context *>(ud);
    return c->inj.active() ? c->inj.graph_key(n_tokens, pos) : 0;
}

static void hook_prepare(void * ud, int32_t n_tokens, const llama_pos * pos) {
    auto * c = static_cast<Context *>(ud);
    if (c->inj.active()) c->inj.prepare(n_tokens, pos);
}

void Context::update_hook() {
    if (taps.active() || inj.active()) {
        // computed() only when taps read outputs back: llama.cpp then re-plans the allocation of
        // each graph it builds, which an injection alone (new nodes, no outputs) does not need
        llama_layer_hook h = { hook_build, taps.active() ? hook_computed : nullptr, this, hook_graph_key, hook_prepare };
        llama_set_layer_hook(ctx, &h);
        hook_installed = true;
    } else if (hook_installed) {
        // clearing a hook that is not there would only throw the reusable graph away
        llama_set_layer_hook(ctx, nullptr);
        hook_installed = false;
    }
}

llama_context * Context::get(Napi::Env env) {
    if (!ctx) throw_error(env, "DISPOSED", "the context has been disposed");
    return ctx;
}

void claim_busy(Napi::Env env, Context * c) {
    bool expected = false;
    if (!c->busy.compare_exchange_strong(expected, true)) {
        throw_error(env, "BUSY", "the context is already running an operation; await it first");
    }
}

int32_t seq_arg(const Napi::CallbackInfo & info, size_t index, const Context * c) {
    if (info.Length() <= index || info[index].IsUndefined()) return 0;
    if (!info[index].IsNumber()) throw_error(info.Env(), "INVALID_ARGUMENT", "a sequence id must be a number");
    const double v = info[index].As<Napi::Number>().DoubleValue();
    if (!(v >= 0 && v < c->n_seq) || v != (double) (int32_t) v) {
        throw_error(info.Env(), "INVALID_ARGUMENT", "sequence " + std::to_string(v) + " does not exist (the context has " + std::to_string(c->n_seq) + ")");
    }
    return (int32_t) v;
}

// ---- creation ---------------------------------------------------------------------------------

class CreateWorker : public PromiseWorker {
  public:
    CreateWorker(Napi::Env env, Napi::Object model_obj, llama_model * model, llama_context_params p, int32_t seq_size, std::unique_ptr<AttentionEntropy> attention)
        : PromiseWorker(env, "CONTEXT"), model(model), params(p), seq_size(seq_size), attention(std::move(attention)) {
        model_ref = Napi::Persistent(model_obj);
    }
    ~CreateWorker() override {
        if (ctx) llama_free(ctx);
        if (threadpool) cpu_threadpool_free(threadpool);
    }

  private:
    void run() override {
        log_capture_begin();
        ctx = llama_init_from_model(model, params);
        std::string reason = log_capture_end();
        if (!ctx) throw std::runtime_error("could not create a context" + (reason.empty() ? std::string() : ": " + reason));
        // a persistent pool: Node runs each call on whichever libuv worker is free, and a pool made
        // per call (or an OpenMP team per calling thread) costs generation speed
        ggml_threadpool_params tpp = ggml_threadpool_params_default(params.n_threads);
        threadpool = cpu_threadpool_new(&tpp);
        if (!threadpool) throw std::runtime_error("could not create the CPU thread pool");
        llama_attach_threadpool(ctx, threadpool, threadpool);
    }
    Napi::Value resolve(Napi::Env) override {
        Napi::Object obj = Context::constructor.New({});
        Context * c = Context::Unwrap(obj);
        c->ctx = ctx;
        c->threadpool = threadpool;
        threadpool = nullptr;
        c->model = model;
        c->model_ref = std::move(model_ref);
        c->n_batch = (int32_t) llama_n_batch(ctx); // llama.cpp clamps it to the context size
        c->n_seq = (int32_t) params.n_seq_max;
        // one sequence keeps the whole (padded) context, as before; a pool's sequences get what was asked
        c->seq_size = c->n_seq == 1 ? (int32_t) llama_n_ctx(ctx) : std::min(seq_size, (int32_t) llama_n_ctx_seq(ctx));
        c->samplers = std::vector<SamplerState>((size_t) c->n_seq);
        c->seq_logits.assign((size_t) c->n_seq, {});
        c->has_logits.assign((size_t) c->n_seq, false);
        c->attention = std::move(attention);
        ctx = nullptr;
        return obj;
    }

    Napi::ObjectReference model_ref;
    llama_model * model;
    llama_context_params params;
    int32_t seq_size;
    std::unique_ptr<AttentionEntropy> attention; // the eval callback's state: outlives ctx, which points at it
    llama_context * ctx = nullptr;
    ggml_threadpool_t threadpool = nullptr;
};

Napi::Value CreateContext(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    Napi::Object model_obj = info[0].As<Napi::Object>();
    Model * m = Model::Unwrap(model_obj);
    llama_model * model = m->get(env);
    Napi::Object o = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
    auto num = [&](const char * k, int64_t def) -> int64_t {
        return o.Has(k) && o.Get(k).IsNumber() ? o.Get(k).As<Napi::Number>().Int64Value() : def;
    };
    const int64_t seq_size = num("contextSize", 2048);
    const int64_t n_seq = num("sequences", 1);
    if (n_seq < 1 || n_seq > 256) throw_error(env, "INVALID_ARGUMENT", "sequences must be an integer in [1, 256]");
    if (seq_size < 1 || seq_size * n_seq > 0x7fffffff) throw_error(env, "INVALID_ARGUMENT", "contextSize × sequences must be in [1, 2^31)");
    llama_context_params p = llama_context_default_params();
    p.n_ctx = (uint32_t) (seq_size * n_seq);
    p.n_batch = (uint32_t) num("batchSize", 512);
    p.n_ubatch = p.n_batch;
    p.n_seq_max = (uint32_t) n_seq;
    // Several sequences share one unified KV buffer, as llama-server does by default (-np auto):
    // llama.cpp then decodes a batch that mixes sequences at different stages as one ubatch
    // (split_simple), where separate per-sequence streams split it into one ubatch per run of
    // consecutive seq ids and equal lengths (split_equal), i.e. more graph evaluations per tick. Each
    // sequence's size is enforced here (positions < contextSize, checked in tick), so together they
    // never need more than the n_ctx = contextSize × sequences cells the buffer holds. The cost:
    // attention spans the used cells of every sequence (masked), small beside the weights for short contexts.
    // Measured against kv_unified = false (bench/serve.js --threads 1 --clients 4,8, one run of 2
    // rounds each, the batch in sequence order): CPU per token vs llama-server 1.04–1.13 unified,
    // 1.00–1.21 per-sequence, i.e. no difference beyond the noise, so this stays.
    p.kv_unified = n_seq > 1;
    p.n_threads = (int32_t) num("threads", hardware_threads());
    p.n_threads_batch = p.n_threads;
    p.no_perf = true;
    if (o.Has("flashAttention") && o.Get("flashAttention").IsBoolean()) {
        p.flash_attn_type = o.Get("flashAttention").As<Napi::Boolean>() ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
    }
    // kvCacheType (checked in src/engine/context.ts): llama.cpp's type_k/type_v; a quantized V cache needs flash attention
    if (o.Has("kvCacheType") && o.Get("kvCacheType").IsString()) {
        std::string kv = o.Get("kvCacheType").As<Napi::String>();
        if (kv == "f32") p.type_k = p.type_v = GGML_TYPE_F32;
        else if (kv == "q8_0") { p.type_k = p.type_v = GGML_TYPE_Q8_0; p.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED; }
        else if (kv != "f16") throw_error(env, "INVALID_ARGUMENT", "kvCacheType must be f32, f16 or q8_0");
    }
    // after kvCacheType: a q8_0 cache needs flash attention, which src/engine/context.ts refuses beside it
    std::unique_ptr<AttentionEntropy> attention = attention_entropy_option(env, o, model, p);
    return (new CreateWorker(env, model_obj, model, p, (int32_t) seq_size, std::move(attention)))->queue();
}

// ---- evaluation ---------------------------------------------------------------------------------

// decode(tokens: Int32Array, startPos, logits: 0 none | 1 last | 2 all) -> Promise<Float32Array | null>
class DecodeWorker : public ContextWorker {
  public:
    DecodeWorker(Napi::Env env, Context * c, Napi::Int32Array toks, int32_t start, int mode)
        : ContextWorker(env, c, "DECODE"), tokens(toks.Data(), toks.Data() + toks.ElementLength()), start(start), mode(mode) {}

  private:
    void compute() override {
        const int32_t n = (int32_t) tokens.size();
        const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(c->model));
        for (int32_t t : tokens) {
            if (t < 0 || t >= n_vocab) throw CodedError("INVALID_ARGUMENT", "token id " + std::to_string(t) + " is outside the vocabulary");
        }
        if (start < 0 || start + n > c->seq_size) {
            throw CodedError("CONTEXT_OVERFLOW", "the input needs " + std::to_string(start + n) + " positions but the context holds " + std::to_string(c->seq_size));
        }
        llama_batch batch = llama_batch_init(c->n_batch, 0, 1);
        if (mode == 2) logits.resize((size_t) n * n_vocab);
        for (int32_t i0 = 0; i0 < n; i0 += c->n_batch) {
            const int32_t m = std::min(c->n_batch, n - i0);
            batch.n_tokens = m;
            for (int32_t k = 0; k < m; ++k) {
                batch.token[k] = tokens[i0 + k];
                batch.pos[k] = start + i0 + k;
                batch.n_seq_id[k] = 1;
                batch.seq_id[k][0] = 0;
                batch.logits[k] = mode == 2 || (mode == 1 && i0 + k == n - 1);
            }
            log_capture_begin();
            int32_t rc = llama_decode(c->ctx, batch);
            std::string reason = log_capture_end();
            if (rc != 0) {
                llama_batch_free(batch);
                throw std::runtime_error("llama_decode failed (" + std::to_string(rc) + ")" + (reason.empty() ? std::string() : ": " + reason));
            }
            if (mode == 2) {
                for (int32_t k = 0; k < m; ++k) {
                    const float * l = llama_get_logits_ith(c->ctx, k);
                    std::copy(l, l + n_vocab, logits.begin() + (size_t) (i0 + k) * n_vocab);
                }
            }
        }
        llama_batch_free(batch);
        if (mode == 1 && n > 0) {
            const float * l = llama_get_logits_ith(c->ctx, -1);
            logits.assign(l, l + n_vocab);
        }
    }

    Napi::Value resolve(Napi::Env env) override {
        if (logits.empty()) return env.Null();
        Napi::Float32Array out = Napi::Float32Array::New(env, logits.size());
        std::copy(logits.begin(), logits.end(), out.Data());
        return out;
    }

    std::vector<llama_token> tokens;
    int32_t start;
    int mode;
    std::vector<float> logits;
};

Napi::Value Context::Decode(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    Napi::Int32Array toks = info[0].As<Napi::Int32Array>();
    int32_t start = info[1].As<Napi::Number>().Int32Value();
    int mode = info[2].As<Napi::Number>().Int32Value();
    claim_busy(env, this);
    return (new DecodeWorker(env, this, toks, start, mode))->queue();
}

// step(pos, decodeNext, topLogprobs?) -> Promise<{token, logprob, entropy, piece, eog, top?}>
// Samples the next token from the current logits and, unless it ends the generation, evaluates it.
class StepWorker : public ContextWorker {
  public:
    StepWorker(Napi::Env env, Context * c, int32_t pos, bool decode_next, int32_t top_n)
        : ContextWorker(env, c, "DECODE"), pos(pos), decode_next(decode_next), top_n(top_n) {}

  private:
    void compute() override {
        const float * logits = llama_get_logits_ith(c->ctx, -1);
        if (!logits) throw std::runtime_error("no logits to sample from: evaluate a prompt first");
        sampled = sample_token(c->samplers[0], llama_model_get_vocab(c->model), logits, top_n);
        if (decode_next && !sampled.eog) {
            if (pos >= c->seq_size) throw CodedError("CONTEXT_OVERFLOW", "the context is full");
            llama_batch batch = llama_batch_init(1, 0, 1);
            batch.n_tokens = 1;
            batch.token[0] = sampled.token;
            batch.pos[0] = pos;
            batch.n_seq_id[0] = 1;
            batch.seq_id[0][0] = 0;
            batch.logits[0] = 1;
            int32_t rc = llama_decode(c->ctx, batch);
            llama_batch_free(batch);
            if (rc != 0) throw std::runtime_error("llama_decode failed (" + std::to_string(rc) + ")");
        }
    }

    Napi::Value resolve(Napi::Env env) override { return sampled_to_js(env, sampled); }

    int32_t pos;
    bool decode_next;
    int32_t top_n;
    SampledToken sampled;
};

Napi::Value Context::Step(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    if (!samplers[0].ready()) throw_error(env, "INVALID_STATE", "no sampler set: call setSampler first");
    int32_t pos = info[0].As<Napi::Number>().Int32Value();
    bool decode_next = info[1].As<Napi::Boolean>();
    const int32_t top_n = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 0;
    if (top_n < 0 || top_n > MAX_TOP_LOGPROBS) throw_error(env, "INVALID_ARGUMENT", "topLogprobs must be in [0, " + std::to_string(MAX_TOP_LOGPROBS) + "]");
    claim_busy(env, this);
    return (new StepWorker(env, this, pos, decode_next, top_n))->queue();
}

// removeFrom(pos, seq = 0): forget one sequence's KV cache from this position on (prefix reuse)
Napi::Value Context::RemoveFrom(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    llama_context * c = get(env);
    if (busy) throw_error(env, "BUSY", "the context is running an operation");
    if (!info[0].IsNumber()) throw_error(env, "INVALID_ARGUMENT", "removeFrom: the position must be a number");
    const int32_t pos = std::max(0, info[0].As<Napi::Number>().Int32Value());
    const int32_t seq = seq_arg(info, 1, this);
    llama_memory_seq_rm(llama_get_memory(c), seq, pos, -1);
    has_logits[seq] = false;
    return env.Undefined();
}

// setSampler({temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, grammar?, grammarRoot?}, history?, seq = 0)
// grammar: GBNF text that constrains every generated token (INVALID_GRAMMAR when it does not parse)
Napi::Value Context::SetSampler(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    if (busy) throw_error(env, "BUSY", "the context is running an operation");
    if (!info[0].IsObject()) throw_error(env, "INVALID_ARGUMENT", "setSampler: options must be an object");
    const int32_t seq = seq_arg(info, 2, this);
    samplers[seq].configure(env, model, info[0].As<Napi::Object>(), info[1]);
    return env.Undefined();
}

// setTaps(layers: Int32Array, {last, all, mean}); an empty list removes the hook entirely
Napi::Value Context::SetTaps(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    llama_context * c = get(env);
    if (busy) throw_error(env, "BUSY", "the context is running an operation");
    Napi::Int32Array layers = info[0].As<Napi::Int32Array>();
    Napi::Object modes = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
    auto flag = [&](const char * k) { return modes.Has(k) && modes.Get(k).ToBoolean().Value(); };
    const int32_t n_layer = llama_model_n_layer(model);
    std::vector<int32_t> ls;
    for (size_t i = 0; i < layers.ElementLength(); ++i) {
        if (layers[i] < 0 || layers[i] >= n_layer) throw_error(env, "INVALID_ARGUMENT", "layer " + std::to_string(layers[i]) + " does not exist (the model has " + std::to_string(n_layer) + ")");
        ls.push_back(layers[i]);
    }
    taps.configure(n_layer, llama_model_n_embd(model), ls, flag("last"), flag("all"), flag("mean"));
    update_hook();
    return env.Undefined();
}

Napi::Value Context::ResetTaps(const Napi::CallbackInfo & info) {
    get(info.Env());
    taps.reset();
    return info.Env().Undefined();
}

// readTaps() -> [{layer, last?: Float32Array, all?: Float32Array, rows, mean?: Float32Array}]
Napi::Value Context::ReadTaps(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    Napi::Array out = Napi::Array::New(env);
    uint32_t k = 0;
    auto f32 = [&](const float * d, size_t n) {
        Napi::Float32Array a = Napi::Float32Array::New(env, n);
        std::copy(d, d + n, a.Data());
        return a;
    };
    for (int32_t il = 0; il < taps.n_layer; ++il) {
        if (!taps.enabled[il]) continue;
        Napi::Object o = Napi::Object::New(env);
        o.Set("layer", il);
        o.Set("rows", (double) taps.rows[il]);
        if (taps.want_last && !taps.last[il].empty()) o.Set("last", f32(taps.last[il].data(), taps.last[il].size()));
        if (taps.want_all) o.Set("all", f32(taps.all[il].data(), taps.all[il].size()));
        if (taps.want_mean && taps.rows[il] > 0) {
            Napi::Float32Array a = Napi::Float32Array::New(env, taps.sum[il].size());
            for (size_t j = 0; j < taps.sum[il].size(); ++j) a[j] = (float) (taps.sum[il][j] / taps.rows[il]);
            o.Set("mean", a);
        }
        out.Set(k++, o);
    }
    return out;
}

static std::vector<float> token_floats(Napi::Env env, Napi::Value v, const SidecarModel * s) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
        throw_error(env, "INVALID_ARGUMENT", "cognitive tokens must be a Float32Array");
    }
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    const size_t want = (size_t) s->cfg.n_embd * s->cfg.n_tokens;
    if (a.ElementLength() != want) throw_error(env, "INVALID_ARGUMENT", "expected " + std::to_string(want) + " floats of cognitive tokens, got " + std::to_string(a.ElementLength()));
    return std::vector<float>(a.Data(), a.Data() + a.ElementLength());
}

// setInjection(sidecar, tokens: Float32Array N·E, startPos, agc: {floor, tau} | null)
// Layer outputs at positions >= startPos get the sidecar's cross-attention from the tokens.
Napi::Value Context::SetInjection(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    if (busy) throw_error(env, "BUSY", "the context is running an operation");
    if (!info[0].IsObject() || !info[0].As<Napi::Object>().InstanceOf(Sidecar::constructor.Value())) throw_error(env, "INVALID_ARGUMENT", "setInjection: the first argument must be a sidecar");
    Napi::Object sobj = info[0].As<Napi::Object>();
    Sidecar * sidecar = Sidecar::Unwrap(sobj);
    const SidecarModel * s = sidecar->get(env);
    if (s->cfg.n_embd != llama_model_n_embd(model) || s->cfg.n_layer != llama_model_n_layer(model)) {
        throw_error(env, "SIDECAR_MISMATCH", "the sidecar was made for a model with " + std::to_string(s->cfg.n_layer) + " layers of width " + std::to_string(s->cfg.n_embd) + ", this one has " + std::to_string(llama_model_n_layer(model)) + " of width " + std::to_string(llama_model_n_embd(model)));
    }
    std::vector<float> toks = token_floats(env, info[1], s);
    const int32_t start = info[2].As<Napi::Number>().Int32Value();
    if (start < 0) throw_error(env, "INVALID_ARGUMENT", "setInjection: startPos must be >= 0");
    bool agc = false;
    float floor = s->cfg.agc_floor, tau = s->cfg.agc_tau;
    if (info[3].IsObject()) {
        Napi::Object a = info[3].As<Napi::Object>();
        agc = true;
        if (a.Get("floor").IsNumber()) floor = a.Get("floor").As<Napi::Number>().FloatValue();
        if (a.Get("tau").IsNumber()) tau = a.Get("tau").As<Napi::Number>().FloatValue();
        if (!(floor >= 0.0f && floor <= 1.0f) || !(tau > 0.0f)) throw_error(env, "INVALID_ARGUMENT", "AGC needs 0 <= floor <= 1 and tau > 0");
    }
    release_sidecar();
    try {
        inj.set(s, toks, start, agc, floor, tau, n_batch);
    } catch (const std::exception & e) {
        throw_error(env, "SIDECAR", e.what());
    }
    sidecar_ref = Napi::Persistent(sobj);
    sidecar->users++;
    update_hook();
    return env.Undefined();
}

// setInjectionTokens(tokens): new cognitive tokens for the current injection (dynamic refresh)
Napi::Value Context::SetInjectionTokens(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    if (busy) throw_error(env, "BUSY", "the context is running an operation");
    if (!inj.active()) throw_error(env, "INVALID_STATE", "no injection is set");
    inj.set_tokens(token_floats(env, info[0], inj.sc));
    return env.Undefined();
}

Napi::Value Context::ClearInjection(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    if (busy) throw_error(env, "BUSY", "the context is running an operation");
    release_sidecar();
    update_hook();
    return env.Undefined();
}

Napi::Value Context::Size(const Napi::CallbackInfo & info) {
    get(info.Env());
    return Napi::Number::New(info.Env(), seq_size);
}

Napi::Value Context::BatchSize(const Napi::CallbackInfo & info) {
    get(info.Env());
    return Napi::Number::New(info.Env(), n_batch);
}

// graphPlacement() -> {splits, backends: [{name, nodes}]}: where the scheduler put the nodes of
// the last graph this context built (llama_patch/0005), so a GPU build can show what ran where
Napi::Value Context::GraphPlacement(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    llama_context * c = get(env);
    if (busy) throw_error(env, "BUSY", "the context is running an operation");
    constexpr int32_t max_backends = 16;
    const char * names[max_backends] = {};
    int32_t nodes[max_backends] = {};
    int32_t splits = 0;
    const int32_t n = std::min(llama_graph_backend_nodes(c, names, nodes, max_backends, &splits), max_backends);
    Napi::Array backends = Napi::Array::New(env, n);
    for (int32_t j = 0; j < n; ++j) {
        Napi::Object b = Napi::Object::New(env);
        b.Set("name", names[j] ? names[j] : "");
        b.Set("nodes", nodes[j]);
        backends.Set((uint32_t) j, b);
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("splits", splits);
    o.Set("backends", backends);
    return o;
}

// graphCounters() -> {built, reused, crossKvComputed, crossKvInGraph, decodeThreads}: how often decodes built a
// graph or reused the previous one, and how often the injection's cognitive K/V were computed
// (once per set of tokens) or built into a graph (training only); for tests and benchmarks
Napi::Value Context::GraphCounters(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    llama_context * c = get(env);
    int64_t built = 0, reused = 0;
    llama_get_graph_counts(c, &built, &reused);
    Napi::Object o = Napi::Object::New(env);
    o.Set("built", (double) built);
    o.Set("reused", (double) reused);
    o.Set("crossKvComputed", (double) inj.n_kv_computed);
    o.Set("crossKvInGraph", (double) inj.n_kv_in_graph);
    o.Set("decodeThreads", (double) n_decode_threads.load());
    return o;
}

Napi::Value Context::Dispose(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (busy) throw_error(env, "BUSY", "the context is running an operation; await it before disposing");
    free_all();
    return env.Undefined();
}

} // namespace cogito
