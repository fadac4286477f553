// Sidecar training through the frozen base (issue 4): every example is one window starting at
// position 0 — the prompt, then the target (the base's own answer when it was right, the refusal
// when it was wrong). The layer hook encodes the example's pass-1 hidden states into cognitive
// tokens inside the graph and injects them from the last prompt position on, exactly where the
// two-pass runtime does, so llama_opt's backward pass reaches the encoder and cross-attention
// through every frozen layer above them. Only target tokens carry a label (llama_patch/0003).
#include "sidecar.h"
#include "train.h"

#include "ggml-opt.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <regex>

namespace cogito {

struct SidecarExamples {
    std::vector<int32_t> tokens;
    std::vector<uint8_t> targets;
    std::vector<int32_t> starts;      // n + 1 offsets into tokens
    std::vector<float>   hidden;      // n pass-1 states: L · E hidden, then F output features
    std::vector<int32_t> inject_from; // n: the last prompt position
};

struct SidecarRunOptions {
    int32_t  epochs     = 1;
    uint64_t seed       = 1;
    bool     train      = true;
    bool     shuffle    = true;
    float    gate_scale = 5.0f;
    std::vector<std::regex> freeze; // sidecar tensors kept as they are (names matched)
};

struct opt_dataset_deleter { void operator()(ggml_opt_dataset_t d) const { ggml_opt_dataset_free(d); } };
struct opt_result_deleter  { void operator()(ggml_opt_result_t r) const { ggml_opt_result_free(r); } };

static ggml_tensor * train_hook_build(void * ud, ggml_context * g, ggml_tensor * cur, int32_t il, int32_t n_tokens, const llama_pos * pos) {
    return static_cast<Injector *>(ud)->build(g, cur, il, n_tokens, pos);
}

// The sidecar's trainable tensors: encoder and injection (the probes train on their own), less
// the frozen ones.
static std::vector<ggml_tensor *> trainable(const SidecarModel & m, const std::vector<std::regex> & freeze) {
    std::vector<ggml_tensor *> out;
    for (const TensorSpec & s : sidecar_tensor_specs(m.cfg)) {
        if (s.name.rfind("probe.", 0) == 0) continue;
        bool frozen = false;
        for (const auto & re : freeze) frozen = frozen || std::regex_search(s.name, re);
        if (!frozen) out.push_back(ggml_get_tensor(m.ctx.get(), s.name.c_str()));
    }
    return out;
}

static void scale_tensor(ggml_tensor * t, float f) {
    std::vector<float> v = SidecarModel::read(t);
    for (float & x : v) x *= f;
    ggml_backend_tensor_set(t, v.data(), 0, ggml_nbytes(t));
}

class SidecarRunWorker : public ProgressPromiseWorker<Progress> {
  public:
    SidecarRunWorker(Napi::Env env, Trainer * t, Sidecar * s, Napi::Object t_obj, Napi::Object s_obj, SidecarExamples ex, SidecarRunOptions o, Napi::Function on_progress)
        : ProgressPromiseWorker<Progress>(env, "TRAIN", on_progress), t(t), s(s), ex(std::move(ex)), o(o) {
        keep_t = Napi::Persistent(t_obj);
        keep_s = Napi::Persistent(s_obj);
        s->users++;
    }

  private:
    void run(const ExecutionProgress & prog) override {
        SidecarModel & m = *s->m;
        const int64_t n = (int64_t) ex.inject_from.size();
        const int64_t per = m.cfg.state_size();
        const uint32_t window = t->window;
        llama_token pad = llama_vocab_eos(llama_model_get_vocab(t->model));
        if (pad < 0) pad = 0;

        Injector inj;
        inj.set_training(&m, (int32_t) window);
        // gates and token preferences (multi_token queries) at gate_scale× the learning rate:
        // train g/scale, use tanh(scale · g/scale) and scale · q/scale.
        // Evaluation builds the same graph: ggml-opt keys optimizer state by node index, and it
        // wants parameters in every graph it prepares.
        const std::vector<ggml_tensor *> params = trainable(m, o.freeze);
        // frozen tensors come back bit for bit (the gate rescaling below is not exact in f32)
        std::vector<std::pair<ggml_tensor *, std::vector<float>>> frozen;
        for (const TensorSpec & sp : sidecar_tensor_specs(m.cfg)) {
            ggml_tensor * x = ggml_get_tensor(m.ctx.get(), sp.name.c_str());
            if (std::find(params.begin(), params.end(), x) == params.end()) frozen.emplace_back(x, SidecarModel::read(x));
        }
        scale_tensor(m.w.enc_gate, 1.0f / o.gate_scale);
        scale_tensor(m.w.inj_gate, 1.0f / o.gate_scale);
        if (m.w.queries) scale_tensor(m.w.queries, 1.0f / o.gate_scale);
        m.cfg.gate_scale = o.gate_scale;
        for (ggml_tensor * p : params) ggml_set_param(p);
        llama_layer_hook hook = { train_hook_build, nullptr, &inj };
        llama_set_layer_hook(t->ctx, &hook);

        // one example per dataset item of n_ctx tokens; llama_opt reads the first `window`
        std::unique_ptr<std::remove_pointer_t<ggml_opt_dataset_t>, opt_dataset_deleter> data(ggml_opt_dataset_init(GGML_TYPE_I32, GGML_TYPE_I32, t->n_ctx, t->n_ctx, 1, 1));
        std::unique_ptr<std::remove_pointer_t<ggml_opt_result_t>, opt_result_deleter> res_train(ggml_opt_result_init()), res_eval(ggml_opt_result_init());
        auto * d_tokens = (int32_t *) ggml_opt_dataset_data(data.get())->data;
        auto * d_labels = (int32_t *) ggml_opt_dataset_labels(data.get())->data;

        std::vector<int64_t> order(n);
        const auto t0 = std::chrono::steady_clock::now();
        int64_t done = 0;
        for (int32_t epoch = 0; epoch < o.epochs && !t->cancel; ++epoch) {
            for (int64_t i = 0; i < n; ++i) order[i] = i;
            if (o.shuffle) {
                std::mt19937_64 rng(o.seed * 0x9E3779B97F4A7C15ull + (uint64_t) epoch);
                for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[(int64_t) (rng() % (uint64_t) (i + 1))]);
            }
            double loss_sum = 0.0;
            int64_t target_sum = 0;
            for (int64_t k = 0; k < n && !t->cancel; ++k) {
                const int64_t i = order[k];
                const int32_t b = ex.starts[i], len = std::min<int32_t>(ex.starts[i + 1] - b, (int32_t) window);
                std::fill(d_tokens, d_tokens + t->n_ctx, pad);
                std::fill(d_labels, d_labels + t->n_ctx, -1);
                int64_t n_targets = 0;
                for (int32_t p = 0; p < len; ++p) {
                    d_tokens[p] = ex.tokens[b + p];
                    if (p + 1 < len && ex.targets[b + p + 1]) {
                        d_labels[p] = ex.tokens[b + p + 1];
                        n_targets++;
                    }
                }
                if (n_targets == 0) continue;
                inj.set_hidden(ex.hidden.data() + i * per, ex.inject_from[i]);
                ggml_opt_result_t r = o.train ? res_train.get() : res_eval.get();
                ggml_opt_result_reset(r);
                llama_opt_epoch(t->ctx, data.get(), res_train.get(), res_eval.get(), o.train ? 1 : 0, nullptr, nullptr);
                double loss = 0.0, unc = 0.0;
                ggml_opt_result_loss(r, &loss, &unc);
                // ggml averages over the window's rows; rows without a label add zero
                const double per_target = loss * (double) window / (double) n_targets;
                loss_sum += per_target * (double) n_targets;
                target_sum += n_targets;
                ++done;
                const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                const int64_t step = t->step.load();
                Progress pr = { epoch, k + 1, n, step, per_target,
                                o.train ? (double) schedule_lr(t->schedule, std::max<int64_t>(0, step - 1)) : 0.0,
                                elapsed, elapsed / (double) done * (double) (n * o.epochs - done) };
                prog.Send(&pr, 1);
            }
            epoch_loss.push_back(target_sum ? loss_sum / (double) target_sum : NAN);
        }
        llama_set_layer_hook(t->ctx, nullptr);
        for (ggml_tensor * p : params) p->flags &= ~GGML_TENSOR_FLAG_PARAM;
        m.cfg.gate_scale = 1.0f;
        scale_tensor(m.w.enc_gate, o.gate_scale);
        scale_tensor(m.w.inj_gate, o.gate_scale);
        if (m.w.queries) scale_tensor(m.w.queries, o.gate_scale);
        for (const auto & [x, data] : frozen) ggml_backend_tensor_set(x, data.data(), 0, ggml_nbytes(x));
        cancelled = t->cancel.load();
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }

    void OnProgress(const Progress * p, size_t count) override {
        if (progress.IsEmpty() || count == 0) return;
        progress.Call({progress_object(Env(), p[count - 1])}); // one window per example
    }

    void finish() override {
        t->busy = false;
        s->users--;
    }
    Napi::Value resolve(Napi::Env env) override { return run_result(env, epoch_loss, t->step.load(), seconds, cancelled); }

    Napi::ObjectReference keep_t, keep_s;
    Trainer * t;
    Sidecar * s;
    SidecarExamples ex;
    SidecarRunOptions o;
    std::vector<double> epoch_loss;
    double seconds = 0.0;
    bool cancelled = false;
};

// trainSidecar(trainer, sidecar, {tokens, targets, starts, hidden, injectFrom}, {epochs, seed, train, shuffle, gateScale, freeze, schedule}, onProgress?)
//   freeze: regular expressions over sidecar tensor names that stay as they are
static Napi::Value TrainSidecar(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject() || !info[0].As<Napi::Object>().InstanceOf(Trainer::constructor.Value())) throw_error(env, "INVALID_ARGUMENT", "trainSidecar: the first argument must be a trainer");
    if (!info[1].IsObject() || !info[1].As<Napi::Object>().InstanceOf(Sidecar::constructor.Value())) throw_error(env, "INVALID_ARGUMENT", "trainSidecar: the second argument must be a sidecar");
    Trainer * t = Trainer::Unwrap(info[0].As<Napi::Object>());
    Sidecar * s = Sidecar::Unwrap(info[1].As<Napi::Object>());
    check_ready(env, t);
    const SidecarModel * m = s->get(env);
    if (s->users > 0) throw_error(env, "BUSY", "the sidecar is in use");
    if (m->cfg.n_embd != llama_model_n_embd(t->model) || m->cfg.n_layer != llama_model_n_layer(t->model)) {
        throw_error(env, "SIDECAR_MISMATCH", "the sidecar was made for a model of another shape");
    }
    if (!info[2].IsObject()) throw_error(env, "INVALID_ARGUMENT", "trainSidecar: examples must be an object");
    Napi::Object d = info[2].As<Napi::Object>();
    SidecarExamples ex;
    ex.tokens = typed_vector<int32_t>(env, d.Get("tokens"), "trainSidecar: tokens");
    ex.targets = typed_vector<uint8_t>(env, d.Get("targets"), "trainSidecar: targets");
    ex.starts = typed_vector<int32_t>(env, d.Get("starts"), "trainSidecar: starts");
    ex.hidden = typed_vector<float>(env, d.Get("hidden"), "trainSidecar: hidden");
    ex.inject_from = typed_vector<int32_t>(env, d.Get("injectFrom"), "trainSidecar: injectFrom");
    const size_t n = ex.inject_from.size();
    if (ex.targets.size() != ex.tokens.size()) throw_error(env, "INVALID_ARGUMENT", "trainSidecar: targets must have one entry per token");
    if (ex.starts.size() != n + 1 || ex.starts.front() != 0 || ex.starts.back() != (int32_t) ex.tokens.size()) throw_error(env, "INVALID_ARGUMENT", "trainSidecar: starts must hold n + 1 offsets from 0 to tokens.length");
    if (ex.hidden.size() != n * (size_t) m->cfg.state_size()) throw_error(env, "INVALID_ARGUMENT", "trainSidecar: hidden must hold n pass-1 states (target layers × n_embd floats, then the output features of a version-2 sidecar)");
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(t->model));
    for (int32_t tok : ex.tokens) if (tok < 0 || tok >= n_vocab) throw_error(env, "INVALID_ARGUMENT", "trainSidecar: token id out of range");
    for (size_t i = 0; i < n; ++i) {
        if (ex.starts[i + 1] < ex.starts[i]) throw_error(env, "INVALID_ARGUMENT", "trainSidecar: starts must not decrease");
        if (ex.inject_from[i] < 0 || ex.inject_from[i] >= std::min<int32_t>(ex.starts[i + 1] - ex.starts[i], (int32_t) t->window)) {
            throw_error(env, "INVALID_ARGUMENT", "trainSidecar: injectFrom of example " + std::to_string(i) + " is outside its window");
        }
    }

    SidecarRunOptions o;
    Napi::Object a = info[3].IsObject() ? info[3].As<Napi::Object>() : Napi::Object::New(env);
    if (a.Get("epochs").IsNumber()) o.epochs = a.Get("epochs").As<Napi::Number>().Int32Value();
    if (a.Get("seed").IsNumber()) o.seed = (uint64_t) a.Get("seed").As<Napi::Number>().Int64Value();
    if (a.Get("train").IsBoolean()) o.train = a.Get("train").As<Napi::Boolean>();
    if (a.Get("shuffle").IsBoolean()) o.shuffle = a.Get("shuffle").As<Napi::Boolean>();
    if (a.Get("gateScale").IsNumber()) o.gate_scale = a.Get("gateScale").As<Napi::Number>().FloatValue();
    if (a.Get("freeze").IsArray()) {
        Napi::Array fr = a.Get("freeze").As<Napi::Array>();
        for (uint32_t k = 0; k < fr.Length(); ++k) {
            if (!fr.Get(k).IsString()) throw_error(env, "INVALID_ARGUMENT", "trainSidecar: freeze must be an array of regular expressions");
            try {
                o.freeze.emplace_back(fr.Get(k).As<Napi::String>().Utf8Value());
            } catch (const std::regex_error & e) {
                throw_error(env, "INVALID_ARGUMENT", std::string("trainSidecar: bad freeze pattern: ") + e.what());
            }
        }
    }
    if (o.epochs < 1) throw_error(env, "INVALID_ARGUMENT", "trainSidecar: epochs must be at least 1");
    {
        std::vector<std::string> names;
        for (const ggml_tensor * p : trainable(*m, o.freeze)) names.emplace_back(ggml_get_name(p));
        if (t->sidecar_params.empty()) {
            t->sidecar_params = names;
        } else if (t->sidecar_params != names) {
            throw_error(env, "INVALID_ARGUMENT", "trainSidecar: this trainer's optimizer state is for other trainable sidecar tensors (another freeze list or sidecar layout); open a new trainer");
        }
    }
    if (!(o.gate_scale > 0.0f)) throw_error(env, "INVALID_ARGUMENT", "trainSidecar: gateScale must be > 0");
    if (a.Get("schedule").IsObject()) {
        Napi::Object sc = a.Get("schedule").As<Napi::Object>();
        auto f = [&](const char * k, float & v) { if (sc.Get(k).IsNumber()) v = sc.Get(k).As<Napi::Number>().FloatValue(); };
        auto i = [&](const char * k, int64_t & v) { if (sc.Get(k).IsNumber()) v = sc.Get(k).As<Napi::Number>().Int64Value(); };
        f("learningRate", t->schedule.lr);
        f("minLearningRate", t->schedule.lr_min);
        f("weightDecay", t->schedule.weight_decay);
        i("warmupSteps", t->schedule.warmup_steps);
        i("totalSteps", t->schedule.total_steps);
        if (sc.Get("resetStep").IsBoolean() && sc.Get("resetStep").As<Napi::Boolean>()) t->step = 0;
    }
    Napi::Function on_progress = info[4].IsFunction() ? info[4].As<Napi::Function>() : Napi::Function();
    t->cancel = false;
    t->busy = true;
    return (new SidecarRunWorker(env, t, s, info[0].As<Napi::Object>(), info[1].As<Napi::Object>(), std::move(ex), o, on_progress))->queue();
}

void init_sidecar_train(Napi::Env env, Napi::Object exports) {
    exports.Set("trainSidecar", Napi::Function::New(env, TrainSidecar));
}

} // namespace cogito
