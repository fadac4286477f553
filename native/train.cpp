// Training through llama.cpp's llama_opt_* API (see train.h).
//
// Data comes from JS as samples: a flat token array, a per-token "is a target" mask and sample
// start offsets. Each epoch shuffles the samples (seeded) and packs whole samples into windows
// of n_ctx tokens; a position's label is the next token of its sample when that token is a
// target, else -1 ("no label", llama_patch/0003), so prompts and padding add no loss.
// Each window is one optimizer step (n_batch = n_ubatch = n_ctx), run as its own
// llama_opt_epoch over a one-window dataset so cancellation and progress are per step.
#include "train.h"
#include "common.h"

#include "ggml-opt.h"

#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <regex>
#include <vector>

namespace cogito {

Napi::FunctionReference Trainer::constructor;

struct dataset_deleter { void operator()(ggml_opt_dataset_t d) const { ggml_opt_dataset_free(d); } };
struct result_deleter  { void operator()(ggml_opt_result_t r) const { ggml_opt_result_free(r); } };
using dataset_ptr = std::unique_ptr<std::remove_pointer_t<ggml_opt_dataset_t>, dataset_deleter>;
using result_ptr  = std::unique_ptr<std::remove_pointer_t<ggml_opt_result_t>, result_deleter>;

// ---- schedule ---------------------------------------------------------------------------------

// Linear warm-up to lr, then cosine decay to lr_min over the remaining steps.
float schedule_lr(const TrainSchedule & s, int64_t step) {
    if (step < s.warmup_steps) return s.lr * (float) (step + 1) / (float) s.warmup_steps;
    const int64_t span = std::max<int64_t>(1, s.total_steps - s.warmup_steps);
    const double t = std::min(1.0, (double) (step - s.warmup_steps) / (double) span);
    return s.lr_min + 0.5f * (s.lr - s.lr_min) * (float) (1.0 + std::cos(M_PI * t));
}

// Called by ggml_opt before each optimizer step (userdata: the Trainer).
static ggml_opt_optimizer_params optimizer_params(void * ud) {
    Trainer * t = static_cast<Trainer *>(ud);
    const TrainSchedule & s = t->schedule;
    ggml_opt_optimizer_params p = ggml_opt_get_default_optimizer_params(nullptr);
    p.adamw.alpha = schedule_lr(s, t->step.fetch_add(1));
    p.adamw.beta1 = s.beta1;
    p.adamw.beta2 = s.beta2;
    p.adamw.eps   = s.eps;
    p.adamw.wd    = s.weight_decay;
    p.sgd.alpha   = p.adamw.alpha;
    p.sgd.wd      = s.weight_decay;
    return p;
}

// ---- which tensors train ------------------------------------------------------------------------

struct ParamFilter {
    std::vector<std::regex> freeze;
    int64_t trainable = 0;
};

static bool param_filter(const ggml_tensor * t, void * ud) {
    ParamFilter * f = static_cast<ParamFilter *>(ud);
    for (const auto & re : f->freeze) {
        if (std::regex_search(t->name, re)) return false;
    }
    f->trainable += ggml_nelements(t);
    return true;
}

// ---- open ------------------------------------------------------------------------------------

struct OpenOptions {
    std::string path;
    uint32_t n_ctx = 256;
    uint32_t window = 0; // 0: the whole context
    int32_t threads = 0;
    std::vector<std::string> freeze;
};

class OpenTrainerWorker : public PromiseWorker {
  public:
    OpenTrainerWorker(Napi::Env env, OpenOptions o) : PromiseWorker(env, "TRAIN_OPEN"), o(std::move(o)) {}
    ~OpenTrainerWorker() override {
        if (ctx) llama_free(ctx);
        if (model) llama_model_free(model);
    }

  private:
    void run() override {
        std::vector<std::regex> freeze;
        try {
            for (const auto & f : o.freeze) freeze.emplace_back(f);
        } catch (const std::regex_error & e) {
            throw std::runtime_error(std::string("invalid freeze pattern: ") + e.what());
        }
        llama_model_params mp = llama_model_default_params();
        mp.n_gpu_layers = 0;                   // the optimizer runs where the weights are: CPU
        // and no GPU device at all: ggml-opt allocates its gradients, AdamW moments and labels on
        // the scheduler's first backend, which is the device's in a GPU build even with no layers
        // there, so the optimizer step ran on the device (training off the CPU build's losses)
        static ggml_backend_dev_t no_devices[] = { nullptr };
        mp.devices = no_devices;
        mp.load_mode = LLAMA_LOAD_MODE_NONE;   // weights must be writable, not a read-only mapping
        log_capture_begin();
        model = llama_model_load_from_file(o.path.c_str(), mp);
        if (!model) {
            std::string reason = log_capture_end();
            throw std::runtime_error(o.path + ": llama.cpp could not load this model" + (reason.empty() ? std::string() : " (" + reason + ")"));
        }
        // llama.cpp pads a context to a multiple of 256; a window is one whole context
        o.n_ctx = GGML_PAD(o.n_ctx, 256);
        llama_context_params cp = llama_context_default_params();
        cp.n_ctx = o.n_ctx;
        cp.n_batch = o.n_ctx;
        cp.n_ubatch = o.n_ctx;
        cp.n_seq_max = 1;
        cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED; // no backward pass for flash attention
        cp.type_k = GGML_TYPE_F32;                           // the backward pass goes through the KV cache
        cp.type_v = GGML_TYPE_F32;
        // and so does the rest of the graph: a GPU build would otherwise offload the large batches'
        // ops on host weights to the device, backward ops included, and the Vulkan and Metal
        // cross-entropy backward lack llama_patch/0003's label mask (rows without a label would
        // train toward softmax(logits)): training stays on the CPU backend in every build (docs/gpu.md)
        cp.op_offload = false;
        cp.n_threads = o.threads > 0 ? o.threads : hardware_threads();
        cp.n_threads_batch = cp.n_threads;
        ctx = llama_init_from_model(model, cp);
        std::string reason = log_capture_end();
        if (!ctx) throw std::runtime_error("could not create a training context" + (reason.empty() ? std::string() : " (" + reason + ")"));
        if (llama_n_ctx(ctx) != o.n_ctx) {
            throw std::runtime_error("the training context has " + std::to_string(llama_n_ctx(ctx)) + " positions, not " + std::to_string(o.n_ctx));
        }
        filter.freeze = std::move(freeze);
    }

    Napi::Value resolve(Napi::Env) override {
        Napi::Object obj = Trainer::constructor.New({});
        Trainer * t = Trainer::Unwrap(obj);
        t->model = model;
        t->ctx = ctx;
        t->n_ctx = o.n_ctx;
        t->window = o.window > 0 ? o.window : o.n_ctx;
        model = nullptr;
        ctx = nullptr;
        // llama_opt_init reads the filter synchronously; the schedule callback keeps the Trainer
        llama_opt_params op = {};
        op.n_ctx_train = (int32_t) t->window;
        op.param_filter = param_filter;
        op.param_filter_ud = &filter;
        op.get_opt_pars = optimizer_params;
        op.get_opt_pars_ud = t;
        op.optimizer_type = GGML_OPT_OPTIMIZER_TYPE_ADAMW;
        llama_opt_init(t->ctx, t->model, op);
        t->n_trainable = filter.trainable;
        return obj;
    }

    OpenOptions o;
    ParamFilter filter;
    llama_model * model = nullptr;
    llama_context * ctx = nullptr;
};

Napi::Value OpenTrainer(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw_error(env, "INVALID_ARGUMENT", "openTrainer expects an options object");
    Napi::Object a = info[0].As<Napi::Object>();
    OpenOptions o;
    if (!a.Get("model").IsString()) throw_error(env, "INVALID_ARGUMENT", "openTrainer: model (a path) is required");
    o.path = a.Get("model").As<Napi::String>();
    if (a.Get("nCtx").IsNumber()) o.n_ctx = a.Get("nCtx").As<Napi::Number>().Uint32Value();
    if (a.Get("threads").IsNumber()) o.threads = a.Get("threads").As<Napi::Number>().Int32Value();
    if (a.Get("freeze").IsArray()) {
        Napi::Array f = a.Get("freeze").As<Napi::Array>();
        for (uint32_t i = 0; i < f.Length(); ++i) o.freeze.push_back(f.Get(i).As<Napi::String>());
    }
    if (a.Get("window").IsNumber()) o.window = a.Get("window").As<Napi::Number>().Uint32Value();
    if (o.n_ctx < 8) throw_error(env, "INVALID_ARGUMENT", "openTrainer: nCtx must be at least 8");
    if (o.window > GGML_PAD(o.n_ctx, 256)) throw_error(env, "INVALID_ARGUMENT", "openTrainer: window must not exceed nCtx");
    return (new OpenTrainerWorker(env, std::move(o)))->queue();
}

// ---- run (train or evaluate) ---------------------------------------------------------------------

struct Samples {
    std::vector<int32_t> tokens;
    std::vector<uint8_t> targets;
    std::vector<int32_t> starts; // n_samples + 1 offsets
};

struct RunOptions {
    int32_t epochs = 1;
    uint64_t seed = 1;
    bool train = true;
    bool shuffle = true;
    bool pack = true; // several samples per window; false: one, from position 0, as inference sees it
};

// Packs whole samples into windows of n_ctx tokens: tokens[w*n_ctx + p], labels likewise
// (one sample per window unless `several`).
static int64_t pack(const Samples & s, const std::vector<int64_t> & order, uint32_t n_ctx, bool several, llama_token pad,
                    std::vector<int32_t> & tokens, std::vector<int32_t> & labels, std::vector<int64_t> & n_targets) {
    tokens.clear();
    labels.clear();
    n_targets.clear();
    uint32_t used = n_ctx; // forces a new window on the first sample
    for (int64_t i : order) {
        const int32_t b = s.starts[i], e = s.starts[i + 1];
        const uint32_t len = (uint32_t) std::min<int64_t>(e - b, n_ctx);
        if (used + len > n_ctx || !several) {
            tokens.resize(tokens.size() + n_ctx, pad);
            labels.resize(labels.size() + n_ctx, -1);
            n_targets.push_back(0);
            used = 0;
        }
        const size_t base = tokens.size() - n_ctx + used;
        for (uint32_t k = 0; k < len; ++k) {
            tokens[base + k] = s.tokens[b + k];
            const bool has_next = k + 1 < len;
            if (has_next && s.targets[b + k + 1]) {
                labels[base + k] = s.tokens[b + k + 1];
                n_targets.back()++;
            }
        }
        used += len;
    }
    return (int64_t) n_targets.size();
}

class RunWorker : public ProgressPromiseWorker<Progress> {
  public:
    RunWorker(Napi::Env env, Trainer * t, Napi::Object self, Samples s, RunOptions o, Napi::Function on_progress)
        : ProgressPromiseWorker<Progress>(env, "TRAIN", on_progress), t(t), s(std::move(s)), o(o) {
        keep = Napi::Persistent(self);
    }

  private:
    void run(const ExecutionProgress & prog) override {
        // a dataset item is a whole context; llama_opt reads its first `window` tokens
        const uint32_t n_ctx = t->n_ctx, window = t->window;
        const int64_t n_samples = (int64_t) s.starts.size() - 1;
        const llama_vocab * vocab = llama_model_get_vocab(t->model);
        llama_token pad = llama_vocab_eos(vocab);
        if (pad < 0) pad = 0;

        dataset_ptr data(ggml_opt_dataset_init(GGML_TYPE_I32, GGML_TYPE_I32, n_ctx, n_ctx, 1, 1));
        result_ptr res_train(ggml_opt_result_init());
        result_ptr res_eval(ggml_opt_result_init());
        int32_t * d_tokens = (int32_t *) ggml_opt_dataset_data(data.get())->data;
        int32_t * d_labels = (int32_t *) ggml_opt_dataset_labels(data.get())->data;

        std::vector<int64_t> order(n_samples);
        std::vector<int32_t> tokens, labels;
        std::vector<int64_t> n_targets;
        const auto t0 = std::chrono::steady_clock::now();
        int64_t windows_done = 0, windows_all = 0;
        for (int32_t epoch = 0; epoch < o.epochs && !t->cancel; ++epoch) {
            for (int64_t i = 0; i < n_samples; ++i) order[i] = i;
            if (o.shuffle) {
                std::mt19937_64 rng(o.seed * 0x9E3779B97F4A7C15ull + (uint64_t) epoch);
                for (int64_t i = n_samples - 1; i > 0; --i) std::swap(order[i], order[(int64_t) (rng() % (uint64_t) (i + 1))]);
            }
            const int64_t n_windows = pack(s, order, window, o.pack, pad, tokens, labels, n_targets);
            if (epoch == 0) windows_all = n_windows * o.epochs;
            double loss_sum = 0.0;
            int64_t target_sum = 0;
            for (int64_t w = 0; w < n_windows && !t->cancel; ++w) {
                if (n_targets[w] == 0) continue;
                std::fill(d_tokens, d_tokens + n_ctx, pad);
                std::fill(d_labels, d_labels + n_ctx, -1);
                std::copy(tokens.begin() + w * window, tokens.begin() + (w + 1) * window, d_tokens);
                std::copy(labels.begin() + w * window, labels.begin() + (w + 1) * window, d_labels);
                ggml_opt_result_t r = o.train ? res_train.get() : res_eval.get();
                ggml_opt_result_reset(r);
                llama_opt_epoch(t->ctx, data.get(), res_train.get(), res_eval.get(), o.train ? 1 : 0, nullptr, nullptr);
                double loss = 0.0, unc = 0.0;
                ggml_opt_result_loss(r, &loss, &unc);
                // ggml averages over the window's rows; rows without a label contribute zero
                const double per_target = loss * (double) window / (double) n_targets[w];
                loss_sum += per_target * (double) n_targets[w];
                target_sum += n_targets[w];
                ++windows_done;
                const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                const int64_t step = t->step.load();
                Progress p = {epoch, w + 1, n_windows, step, per_target,
                              o.train ? (double) schedule_lr(t->schedule, std::max<int64_t>(0, step - 1)) : 0.0,
                              elapsed, elapsed / (double) windows_done * (double) (windows_all - windows_done)};
                prog.Send(&p, 1);
            }
            epoch_loss.push_back(target_sum ? loss_sum / (double) target_sum : NAN);
            epoch_targets.push_back(target_sum);
            windows_per_epoch = n_windows;
        }
        cancelled = t->cancel.load();
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }

    void OnProgress(const Progress * data, size_t n) override {
        if (progress.IsEmpty()) return;
        for (size_t k = 0; k < n; ++k) progress.Call({progress_object(Env(), data[k])});
    }

    void finish() override { t->busy = false; }
    Napi::Value resolve(Napi::Env env) override {
        Napi::Object r = run_result(env, epoch_loss, t->step.load(), seconds, cancelled);
        r.Set("targets", epoch_targets.empty() ? 0.0 : (double) epoch_targets.back());
        r.Set("windowsPerEpoch", (double) windows_per_epoch);
        return r;
    }

    Napi::ObjectReference keep; // keeps the Trainer alive while the worker runs
    Trainer * t;
    Samples s;
    RunOptions o;
    std::vector<double> epoch_loss;
    std::vector<int64_t> epoch_targets;
    int64_t windows_per_epoch = 0;
    double seconds = 0.0;
    bool cancelled = false;
};

// ---- the Trainer object ---------------------------------------------------------------------

Napi::Object Trainer::Init(Napi::Env env, Napi::Object exports) {
    Napi::Function fn = DefineClass(env, "Trainer", {
        InstanceMethod("run", &Trainer::Run),
        InstanceMethod("cancel", &Trainer::Cancel),
        InstanceMethod("save", &Trainer::Save),
        InstanceMethod("info", &Trainer::Info),
        InstanceMethod("dispose", &Trainer::Dispose),
    });
    constructor = Napi::Persistent(fn);
    constructor.SuppressDestruct();
    exports.Set("Trainer", fn);
    return exports;
}

Trainer::Trainer(const Napi::CallbackInfo & info) : Napi::ObjectWrap<Trainer>(info) {}

Trainer::~Trainer() {
    if (ctx) llama_free(ctx);
    if (model) llama_model_free(model);
}

Napi::Object run_result(Napi::Env env, const std::vector<double> & epoch_loss, int64_t steps, double seconds, bool cancelled) {
    Napi::Object r = Napi::Object::New(env);
    Napi::Array losses = Napi::Array::New(env, epoch_loss.size());
    for (size_t i = 0; i < epoch_loss.size(); ++i) losses.Set((uint32_t) i, epoch_loss[i]);
    r.Set("epochLoss", losses);
    r.Set("loss", epoch_loss.empty() ? NAN : epoch_loss.back());
    r.Set("steps", (double) steps);
    r.Set("seconds", seconds);
    r.Set("cancelled", cancelled);
    return r;
}

Napi::Object progress_object(Napi::Env env, const Progress & p) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("epoch", p.epoch);
    o.Set("window", (double) p.window);
    o.Set("windows", (double) p.windows);
    o.Set("step", (double) p.step);
    o.Set("loss", p.loss);
    o.Set("learningRate", p.lr);
    o.Set("elapsedSeconds", p.elapsed);
    o.Set("etaSeconds", p.eta);
    return o;
}

void check_ready(Napi::Env env, const Trainer * t) {
    if (!t->ctx) throw_error(env, "DISPOSED", "the trainer has been disposed");
    if (t->busy) throw_error(env, "BUSY", "the trainer is already running");
}

// run({tokens: Int32Array, targets: Uint8Array, starts: Int32Array}, {epochs, seed, train, shuffle, schedule}, onProgress?)
Napi::Value Trainer::Run(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    check_ready(env, this);
    if (!info[0].IsObject()) throw_error(env, "INVALID_ARGUMENT", "run: data must be an object");
    Napi::Object d = info[0].As<Napi::Object>();
    Samples s;
    s.tokens = typed_vector<int32_t>(env, d.Get("tokens"), "run: tokens");
    s.targets = typed_vector<uint8_t>(env, d.Get("targets"), "run: targets");
    s.starts = typed_vector<int32_t>(env, d.Get("starts"), "run: starts");
    if (s.targets.size() != s.tokens.size()) throw_error(env, "INVALID_ARGUMENT", "run: targets must have one entry per token");
    if (s.starts.size() < 2 || s.starts.front() != 0 || s.starts.back() != (int32_t) s.tokens.size()) {
        throw_error(env, "INVALID_ARGUMENT", "run: starts must run from 0 to tokens.length");
    }
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    for (int32_t tok : s.tokens) {
        if (tok < 0 || tok >= n_vocab) throw_error(env, "INVALID_ARGUMENT", "run: token id out of range");
    }
    for (size_t i = 1; i < s.starts.size(); ++i) {
        if (s.starts[i] < s.starts[i - 1]) throw_error(env, "INVALID_ARGUMENT", "run: starts must not decrease");
    }

    RunOptions o;
    Napi::Object a = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
    if (a.Get("epochs").IsNumber()) o.epochs = a.Get("epochs").As<Napi::Number>().Int32Value();
    if (a.Get("seed").IsNumber()) o.seed = (uint64_t) a.Get("seed").As<Napi::Number>().Int64Value();
    if (a.Get("train").IsBoolean()) o.train = a.Get("train").As<Napi::Boolean>();
    if (a.Get("shuffle").IsBoolean()) o.shuffle = a.Get("shuffle").As<Napi::Boolean>();
    if (a.Get("pack").IsBoolean()) o.pack = a.Get("pack").As<Napi::Boolean>();
    if (o.epochs < 1) throw_error(env, "INVALID_ARGUMENT", "run: epochs must be at least 1");
    if (a.Get("schedule").IsObject()) {
        Napi::Object sc = a.Get("schedule").As<Napi::Object>();
        auto f = [&](const char * k, float & v) { if (sc.Get(k).IsNumber()) v = sc.Get(k).As<Napi::Number>().FloatValue(); };
        auto i = [&](const char * k, int64_t & v) { if (sc.Get(k).IsNumber()) v = sc.Get(k).As<Napi::Number>().Int64Value(); };
        f("learningRate", schedule.lr);
        f("minLearningRate", schedule.lr_min);
        f("beta1", schedule.beta1);
        f("beta2", schedule.beta2);
        f("epsilon", schedule.eps);
        f("weightDecay", schedule.weight_decay);
        i("warmupSteps", schedule.warmup_steps);
        i("totalSteps", schedule.total_steps);
        if (sc.Get("resetStep").IsBoolean() && sc.Get("resetStep").As<Napi::Boolean>()) step = 0;
    }
    Napi::Function on_progress = info[2].IsFunction() ? info[2].As<Napi::Function>() : Napi::Function();
    cancel = false;
    busy = true;
    return (new RunWorker(env, this, info.This().As<Napi::Object>(), std::move(s), o, on_progress))->queue();
}

Napi::Value Trainer::Cancel(const Napi::CallbackInfo & info) {
    cancel = true;
    return info.Env().Undefined();
}

// save(path): writes the model with its current weights (llama_model_save_to_file), atomically.
Napi::Value Trainer::Save(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    check_ready(env, this);
    std::string path = info[0].As<Napi::String>();
    std::string tmp = path + ".tmp";
    llama_model_save_to_file(model, tmp.c_str());
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw_error(env, "IO", "could not write " + path);
    return env.Undefined();
}

Napi::Value Trainer::Info(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!ctx) throw_error(env, "DISPOSED", "the trainer has been disposed");
    Napi::Object o = Napi::Object::New(env);
    o.Set("contextSize", n_ctx);
    o.Set("threads", llama_n_threads(ctx));
    o.Set("parameters", (double) llama_model_n_params(model));
    o.Set("trainableParameters", (double) n_trainable);
    o.Set("steps", (double) step.load());
    o.Set("vocabSize", llama_vocab_n_tokens(llama_model_get_vocab(model)));
    return o;
}

Napi::Value Trainer::Dispose(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (busy) throw_error(env, "BUSY", "cancel the run and wait for it before disposing the trainer");
    const bool had_model = model != nullptr;
    if (ctx) llama_free(ctx);
    if (model) llama_model_free(model);
    ctx = nullptr;
    model = nullptr;
    if (had_model) release_freed_memory();
    return env.Undefined();
}

void init_train(Napi::Env env, Napi::Object exports) {
    Trainer::Init(env, exports);
    exports.Set("openTrainer", Napi::Function::New(env, OpenTrainer));
}

} // namespace cogito
