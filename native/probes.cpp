// Probe training steps: each target layer's probe learns P(the base answers correctly) from that
// layer's hidden state, with ggml's optimizer (AdamW) on a logistic loss. One call runs one epoch
// and reports its training and validation loss; the epoch loop, early stopping and the choice of
// the best weights are the caller's (src/loom/probes.ts). The probes are the sidecar's decision
// signal (sidecars/FORMAT.md).
#include "common.h"
#include "backends.h"
#include "sidecar.h"

#include "ggml-alloc.h"
#include "ggml-opt.h"

#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace cogito {

struct ProbeOptions {
    int32_t accumulate   = 16;   // examples per optimizer step
    float   lr           = 1e-2f;
    float   weight_decay = 1e-3f;
    double  val_fraction = 0.2;
    uint32_t seed        = 1;
};

struct ProbeEpoch {
    double train_loss, train_acc, val_loss, val_acc;
};

struct opt_ctx_deleter { void operator()(ggml_opt_context_t c) const { ggml_opt_free(c); } };
struct dataset_deleter { void operator()(ggml_opt_dataset_t d) const { ggml_opt_dataset_free(d); } };
struct result_deleter { void operator()(ggml_opt_result_t r) const { ggml_opt_result_free(r); } };
struct sched_deleter { void operator()(ggml_backend_sched_t s) const { ggml_backend_sched_free(s); } };
struct backend_deleter { void operator()(ggml_backend_t b) const { ggml_backend_free(b); } };

static ggml_opt_optimizer_params probe_opt_pars(void * ud) {
    const auto * o = static_cast<const ProbeOptions *>(ud);
    ggml_opt_optimizer_params p = ggml_opt_get_default_optimizer_params(nullptr);
    p.adamw.alpha = o->lr;
    p.adamw.wd = o->weight_decay;
    return p;
}

// One probe-training session over a fixed data set: the optimizer, its graph and the validation
// split live as long as the session; each epoch() trains on the training split once.
struct ProbeSession {
    SidecarModel & s;
    ProbeOptions o;
    int64_t n_train = 0;
    std::unique_ptr<ggml_backend, backend_deleter> cpu;
    std::unique_ptr<ggml_backend_sched, sched_deleter> sched;
    ggml_ptr ctx_static, ctx_compute;
    buffer_ptr buf;
    std::unique_ptr<ggml_opt_dataset, dataset_deleter> data;
    std::unique_ptr<ggml_opt_context, opt_ctx_deleter> opt;
    std::unique_ptr<ggml_opt_result, result_deleter> r_train, r_val;

    // states: n · state_size (L·E raw residual states, then the output features of version 2)
    ProbeSession(SidecarModel & s, const std::vector<float> & states, const std::vector<uint8_t> & correct, const ProbeOptions & o) : s(s), o(o) {
        const int64_t E = s.cfg.n_embd, L = s.cfg.n_target(), F = s.cfg.n_out(), S = s.cfg.state_size(), n = (int64_t) correct.size();
        if (n < 4) throw std::runtime_error("probe training needs at least 4 examples");

        // the data in a random order, so the validation split is a random subset
        std::vector<int64_t> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::mt19937 rng(o.seed);
        std::shuffle(order.begin(), order.end(), rng);
        // whole physical batches only (ggml-opt's rule): a few examples may be left out
        const int64_t batch = n >= 256 ? 32 : 1;
        const int64_t n_used = n / batch * batch;
        const int64_t n_val = std::max<int64_t>(batch, (int64_t) std::llround(o.val_fraction * n_used) / batch * batch);
        n_train = n_used - n_val;
        if (n_train <= 0) throw std::runtime_error("probe training needs more examples than its validation split");

        data.reset(ggml_opt_dataset_init(GGML_TYPE_F32, GGML_TYPE_F32, S, 2 * L, n_used, 1));
        auto * x = (float *) ggml_opt_dataset_data(data.get())->data;
        auto * y = (float *) ggml_opt_dataset_labels(data.get())->data;
        for (int64_t k = 0; k < n_used; ++k) {
            const int64_t i = order[k];
            std::copy(states.begin() + i * S, states.begin() + (i + 1) * S, x + k * S);
            for (int64_t l = 0; l < L; ++l) {
                y[k * 2 * L + 2 * l + 0] = correct[i] ? 1.0f : 0.0f;
                y[k * 2 * L + 2 * l + 1] = correct[i] ? 0.0f : 1.0f;
            }
        }

        // one example (or 32) of a few hundred floats per step: extra threads only spin at the
        // barriers, and on a busy 2-core machine the default 4 made a 32-example run take minutes
        cpu.reset(cpu_backend_new(1));
        if (!cpu) throw std::runtime_error("could not start the CPU backend");
        ggml_backend_t backends[] = { cpu.get() };
        sched.reset(ggml_backend_sched_new(backends, nullptr, 1, 1024, false, true));

        // inputs and constants: allocated here, as ggml-opt expects for static graphs
        ggml_init_params sp = { ggml_tensor_overhead() * 4, nullptr, true };
        ctx_static.reset(ggml_init(sp));
        ggml_tensor * inputs = ggml_new_tensor_2d(ctx_static.get(), GGML_TYPE_F32, S, batch);
        ggml_tensor * sign = ggml_new_tensor_1d(ctx_static.get(), GGML_TYPE_F32, 2);
        buf.reset(ggml_backend_alloc_ctx_tensors(ctx_static.get(), cpu.get()));
        const float half[2] = { 0.5f, -0.5f };
        ggml_backend_tensor_set(sign, half, 0, sizeof(half));

        // logits [z/2, −z/2] per layer: a two-class softmax over them is the logistic loss of z
        ggml_init_params cp = { ggml_tensor_overhead() * GGML_DEFAULT_GRAPH_SIZE + 3 * ggml_graph_overhead_custom(GGML_DEFAULT_GRAPH_SIZE, true), nullptr, true };
        ctx_compute.reset(ggml_init(cp));
        ggml_context * c = ctx_compute.get();
        ggml_tensor * hidden = F > 0 ? ggml_cont(c, ggml_view_2d(c, inputs, E * L, batch, inputs->nb[1], 0)) : inputs;
        ggml_tensor * h = ggml_rms_norm(c, ggml_reshape_3d(c, hidden, E, L, batch), s.cfg.rms_eps);
        ggml_tensor * z = ggml_add(c, ggml_reshape_3d(c, ggml_sum_rows(c, ggml_mul(c, h, s.w.probe_w)), 1, L, batch), ggml_reshape_2d(c, s.w.probe_b, 1, L));
        if (F > 0) {
            // the same sum as sidecar_build_probes, for a batch: probe.out.weight · φ per example
            ggml_tensor * phi = ggml_cont(c, ggml_view_2d(c, inputs, F, batch, inputs->nb[1], E * L * ggml_element_size(inputs)));
            z = ggml_add(c, z, ggml_reshape_3d(c, ggml_mul_mat(c, s.w.probe_out, phi), 1, L, batch));
            ggml_set_param(s.w.probe_out);
        }
        ggml_tensor * outputs = ggml_reshape_2d(c, ggml_mul(c, ggml_repeat_4d(c, z, 2, L, batch, 1), sign), 2, L * batch);
        ggml_set_param(s.w.probe_w);
        ggml_set_param(s.w.probe_b);

        ggml_opt_params op = ggml_opt_default_params(sched.get(), GGML_OPT_LOSS_TYPE_CROSS_ENTROPY);
        op.ctx_compute = c;
        op.inputs = inputs;
        op.outputs = outputs;
        op.opt_period = std::max<int64_t>(1, o.accumulate / batch);
        op.get_opt_pars = probe_opt_pars;
        op.get_opt_pars_ud = &this->o;
        opt.reset(ggml_opt_init(op));
        r_train.reset(ggml_opt_result_init());
        r_val.reset(ggml_opt_result_init());
    }

    ~ProbeSession() {
        // inference graphs must not see them as parameters
        s.w.probe_w->flags &= ~GGML_TENSOR_FLAG_PARAM;
        s.w.probe_b->flags &= ~GGML_TENSOR_FLAG_PARAM;
        if (s.w.probe_out) s.w.probe_out->flags &= ~GGML_TENSOR_FLAG_PARAM;
    }

    ProbeEpoch epoch() {
        ggml_opt_dataset_shuffle(opt.get(), data.get(), n_train);
        ggml_opt_result_reset(r_train.get());
        ggml_opt_result_reset(r_val.get());
        ggml_opt_epoch(opt.get(), data.get(), r_train.get(), r_val.get(), n_train, nullptr, nullptr);
        ProbeEpoch pe{};
        double unc;
        ggml_opt_result_loss(r_train.get(), &pe.train_loss, &unc);
        ggml_opt_result_accuracy(r_train.get(), &pe.train_acc, &unc);
        ggml_opt_result_loss(r_val.get(), &pe.val_loss, &unc);
        ggml_opt_result_accuracy(r_val.get(), &pe.val_acc, &unc);
        return pe;
    }

    // the tensors this session trains: probe.weight, probe.bias, then probe.out.weight (version 2)
    std::vector<ggml_tensor *> params() const {
        std::vector<ggml_tensor *> p = { s.w.probe_w, s.w.probe_b };
        if (s.cfg.n_out() > 0) p.push_back(s.w.probe_out);
        return p;
    }
};

class ProbeTrainer : public Napi::ObjectWrap<ProbeTrainer> {
  public:
    static Napi::FunctionReference constructor;

    explicit ProbeTrainer(const Napi::CallbackInfo & info) : Napi::ObjectWrap<ProbeTrainer>(info) {}

    Napi::ObjectReference sidecar_ref; // the sidecar stays alive (and in use) while the session is open
    Sidecar * sidecar = nullptr;
    std::unique_ptr<ProbeSession> session;
    bool busy = false;

    ProbeSession & get(Napi::Env env) {
        if (!session) throw_error(env, "DISPOSED", "the probe trainer has been disposed");
        if (busy) throw_error(env, "BUSY", "the probe trainer is running an epoch");
        return *session;
    }

    Napi::Value Epoch(const Napi::CallbackInfo & info);
    Napi::Value Weights(const Napi::CallbackInfo & info);
    Napi::Value SetWeights(const Napi::CallbackInfo & info);
    Napi::Value Dispose(const Napi::CallbackInfo & info);
};

Napi::FunctionReference ProbeTrainer::constructor;

class ProbeEpochWorker : public PromiseWorker {
  public:
    ProbeEpochWorker(Napi::Env env, ProbeTrainer * t) : PromiseWorker(env, "TRAIN"), t(t) {
        ref = Napi::Persistent(t->Value());
        t->busy = true;
    }

  private:
    void run() override { e = t->session->epoch(); }
    void finish() override { t->busy = false; }
    Napi::Value resolve(Napi::Env env) override {
        Napi::Object r = Napi::Object::New(env);
        r.Set("trainLoss", e.train_loss);
        r.Set("trainAccuracy", e.train_acc);
        r.Set("valLoss", e.val_loss);
        r.Set("valAccuracy", e.val_acc);
        return r;
    }

    Napi::ObjectReference ref;
    ProbeTrainer * t;
    ProbeEpoch e{};
};

// epoch() -> Promise<{trainLoss, trainAccuracy, valLoss, valAccuracy}>: one pass over the training split
Napi::Value ProbeTrainer::Epoch(const Napi::CallbackInfo & info) {
    get(info.Env());
    return (new ProbeEpochWorker(info.Env(), this))->queue();
}

// weights() -> Float32Array[]: probe.weight, probe.bias, then probe.out.weight (version 2)
Napi::Value ProbeTrainer::Weights(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const std::vector<ggml_tensor *> p = get(env).params();
    Napi::Array out = Napi::Array::New(env, p.size());
    for (size_t i = 0; i < p.size(); ++i) {
        const std::vector<float> v = SidecarModel::read(p[i]);
        Napi::Float32Array a = Napi::Float32Array::New(env, v.size());
        std::copy(v.begin(), v.end(), a.Data());
        out.Set((uint32_t) i, a);
    }
    return out;
}

// setWeights(Float32Array[]): puts back what weights() returned
Napi::Value ProbeTrainer::SetWeights(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const std::vector<ggml_tensor *> p = get(env).params();
    if (!info[0].IsArray() || info[0].As<Napi::Array>().Length() != p.size()) throw_error(env, "INVALID_ARGUMENT", "setWeights: expected " + std::to_string(p.size()) + " arrays, as weights() returns them");
    Napi::Array a = info[0].As<Napi::Array>();
    for (size_t i = 0; i < p.size(); ++i) {
        Napi::Value v = a.Get((uint32_t) i);
        if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array || v.As<Napi::Float32Array>().ElementLength() != (size_t) ggml_nelements(p[i])) {
            throw_error(env, "INVALID_ARGUMENT", std::string("setWeights: ") + ggml_get_name(p[i]) + " needs a Float32Array of " + std::to_string(ggml_nelements(p[i])) + " values");
        }
        ggml_backend_tensor_set(p[i], v.As<Napi::Float32Array>().Data(), 0, ggml_nbytes(p[i]));
    }
    return env.Undefined();
}

// dispose(): ends the session; the sidecar's probes keep their current weights
Napi::Value ProbeTrainer::Dispose(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (busy) throw_error(env, "BUSY", "the probe trainer is running an epoch");
    if (session) {
        session.reset();
        sidecar->users--;
        sidecar_ref.Reset();
    }
    return env.Undefined();
}

// openProbeTrainer(sidecar, states: Float32Array n·(L·E + F), correct: Uint8Array n,
//                  {accumulate, learningRate, weightDecay, valFraction, seed}) -> ProbeTrainer
static Napi::Value OpenProbeTrainer(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    Sidecar * s = unwrap_sidecar(env, info[0], "openProbeTrainer");
    const SidecarModel * m = s->get(env);
    if (s->users > 0) throw_error(env, "BUSY", "the sidecar is in use");
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) throw_error(env, "INVALID_ARGUMENT", "openProbeTrainer: states must be a Float32Array");
    if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) throw_error(env, "INVALID_ARGUMENT", "openProbeTrainer: correct must be a Uint8Array");
    Napi::Float32Array h = info[1].As<Napi::Float32Array>();
    Napi::Uint8Array y = info[2].As<Napi::Uint8Array>();
    const size_t per = (size_t) m->cfg.state_size();
    if (h.ElementLength() != per * y.ElementLength()) throw_error(env, "INVALID_ARGUMENT", "trainProbes: expected " + std::to_string(per) + " floats per example (L·E hidden states" + (m->cfg.n_out() > 0 ? std::string(", then the output features)") : std::string(")")));
    ProbeOptions o;
    if (info[3].IsObject()) {
        Napi::Object p = info[3].As<Napi::Object>();
        auto num = [&](const char * k, double def) { return p.Get(k).IsNumber() ? p.Get(k).As<Napi::Number>().DoubleValue() : def; };
        o.accumulate = (int32_t) num("accumulate", o.accumulate);
        o.lr = (float) num("learningRate", o.lr);
        o.weight_decay = (float) num("weightDecay", o.weight_decay);
        o.val_fraction = num("valFraction", o.val_fraction);
        o.seed = (uint32_t) num("seed", o.seed);
    }
    std::unique_ptr<ProbeSession> session;
    try {
        session = std::make_unique<ProbeSession>(*s->m, std::vector<float>(h.Data(), h.Data() + h.ElementLength()), std::vector<uint8_t>(y.Data(), y.Data() + y.ElementLength()), o);
    } catch (const std::exception & e) {
        throw_error(env, "TRAIN", e.what());
    }
    Napi::Object obj = ProbeTrainer::constructor.New({});
    ProbeTrainer * t = ProbeTrainer::Unwrap(obj);
    t->session = std::move(session);
    t->sidecar = s;
    t->sidecar_ref = Napi::Persistent(info[0].As<Napi::Object>());
    s->users++;
    return obj;
}

void init_probes(Napi::Env env, Napi::Object exports) {
    Napi::Function fn = ProbeTrainer::DefineClass(env, "ProbeTrainer", {
        ProbeTrainer::InstanceMethod("epoch", &ProbeTrainer::Epoch),
        ProbeTrainer::InstanceMethod("weights", &ProbeTrainer::Weights),
        ProbeTrainer::InstanceMethod("setWeights", &ProbeTrainer::SetWeights),
        ProbeTrainer::InstanceMethod("dispose", &ProbeTrainer::Dispose),
    });
    ProbeTrainer::constructor = Napi::Persistent(fn);
    ProbeTrainer::constructor.SuppressDestruct();
    exports.Set("ProbeTrainer", fn);
    exports.Set("openProbeTrainer", Napi::Function::New(env, OpenProbeTrainer));
}

} // namespace cogito
