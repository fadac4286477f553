// Probe pretraining: each target layer's probe learns P(the base answers correctly) from that
// layer's hidden state, with ggml's optimizer (AdamW) on a logistic loss, early-stopped on a
// validation split. The probes are the sidecar's decision signal (sidecars/FORMAT.md).
#include "common.h"
#include "sidecar.h"

#include "ggml-alloc.h"
#include "ggml-cpu.h"
#include "ggml-opt.h"

#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace cogito {

struct ProbeOptions {
    int32_t epochs       = 200;
    int32_t patience     = 20;   // epochs without a better validation loss before stopping
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

// Trains s's probes on pass-1 states (n · state_size: L·E raw residual states, then the output
// features of version 2) and correct (n); keeps the weights of the epoch with the best validation
// loss. Returns one record per epoch run.
static std::vector<ProbeEpoch> train_probes(SidecarModel & s, const std::vector<float> & states, const std::vector<uint8_t> & correct, const ProbeOptions & o) {
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
    const int64_t n_train = n_used - n_val;
    if (n_train <= 0) throw std::runtime_error("probe training needs more examples than its validation split");

    std::unique_ptr<ggml_opt_dataset, dataset_deleter> data(ggml_opt_dataset_init(GGML_TYPE_F32, GGML_TYPE_F32, S, 2 * L, n_used, 1));
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

    std::unique_ptr<ggml_backend, backend_deleter> cpu(ggml_backend_cpu_init());
    // one example (or 32) of a few hundred floats per step: extra threads only spin at the
    // barriers, and on a busy 2-core machine the default 4 made a 32-example run take minutes
    ggml_backend_cpu_set_n_threads(cpu.get(), 1);
    ggml_backend_t backends[] = { cpu.get() };
    std::unique_ptr<ggml_backend_sched, sched_deleter> sched(ggml_backend_sched_new(backends, nullptr, 1, 1024, false, true));

    // inputs and constants: allocated here, as ggml-opt expects for static graphs
    ggml_init_params sp = { ggml_tensor_overhead() * 4, nullptr, true };
    ggml_ptr ctx_static(ggml_init(sp));
    ggml_tensor * inputs = ggml_new_tensor_2d(ctx_static.get(), GGML_TYPE_F32, S, batch);
    ggml_tensor * sign = ggml_new_tensor_1d(ctx_static.get(), GGML_TYPE_F32, 2);
    buffer_ptr buf(ggml_backend_alloc_ctx_tensors(ctx_static.get(), cpu.get()));
    const float half[2] = { 0.5f, -0.5f };
    ggml_backend_tensor_set(sign, half, 0, sizeof(half));

    // logits [z/2, −z/2] per layer: a two-class softmax over them is the logistic loss of z
    ggml_init_params cp = { ggml_tensor_overhead() * GGML_DEFAULT_GRAPH_SIZE + 3 * ggml_graph_overhead_custom(GGML_DEFAULT_GRAPH_SIZE, true), nullptr, true };
    ggml_ptr ctx_compute(ggml_init(cp));
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
    op.get_opt_pars_ud = const_cast<ProbeOptions *>(&o);
    std::unique_ptr<ggml_opt_context, opt_ctx_deleter> opt(ggml_opt_init(op));
    std::unique_ptr<ggml_opt_result, result_deleter> r_train(ggml_opt_result_init()), r_val(ggml_opt_result_init());

    std::vector<ProbeEpoch> epochs;
    std::vector<float> best_w = SidecarModel::read(s.w.probe_w), best_b = SidecarModel::read(s.w.probe_b);
    std::vector<float> best_out = F > 0 ? SidecarModel::read(s.w.probe_out) : std::vector<float>();
    double best = INFINITY;
    int32_t since_best = 0;
    for (int32_t e = 0; e < o.epochs && since_best < o.patience; ++e) {
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
        epochs.push_back(pe);
        if (pe.val_loss < best - 1e-6) {
            best = pe.val_loss;
            since_best = 0;
            best_w = SidecarModel::read(s.w.probe_w);
            best_b = SidecarModel::read(s.w.probe_b);
            if (F > 0) best_out = SidecarModel::read(s.w.probe_out);
        } else {
            since_best++;
        }
    }
    ggml_backend_tensor_set(s.w.probe_w, best_w.data(), 0, ggml_nbytes(s.w.probe_w));
    ggml_backend_tensor_set(s.w.probe_b, best_b.data(), 0, ggml_nbytes(s.w.probe_b));
    if (F > 0) ggml_backend_tensor_set(s.w.probe_out, best_out.data(), 0, ggml_nbytes(s.w.probe_out));
    // inference graphs must not see them as parameters
    s.w.probe_w->flags &= ~GGML_TENSOR_FLAG_PARAM;
    s.w.probe_b->flags &= ~GGML_TENSOR_FLAG_PARAM;
    if (F > 0) s.w.probe_out->flags &= ~GGML_TENSOR_FLAG_PARAM;
    return epochs;
}

class TrainProbesWorker : public Napi::AsyncWorker {
  public:
    TrainProbesWorker(Napi::Env env, Sidecar * s, std::vector<float> hidden, std::vector<uint8_t> correct, ProbeOptions o)
        : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), s(s), hidden(std::move(hidden)), correct(std::move(correct)), o(o) {
        ref = Napi::Persistent(s->Value());
        s->users++;
    }
    Napi::Promise promise() { return deferred.Promise(); }
    void Execute() override {
        try {
            epochs = train_probes(*s->m, hidden, correct, o);
        } catch (const std::exception & e) {
            SetError(e.what());
        }
    }
    void OnOK() override {
        s->users--;
        Napi::Env env = Env();
        Napi::Array a = Napi::Array::New(env, epochs.size());
        for (size_t i = 0; i < epochs.size(); ++i) {
            Napi::Object r = Napi::Object::New(env);
            r.Set("trainLoss", epochs[i].train_loss);
            r.Set("trainAccuracy", epochs[i].train_acc);
            r.Set("valLoss", epochs[i].val_loss);
            r.Set("valAccuracy", epochs[i].val_acc);
            a.Set((uint32_t) i, r);
        }
        deferred.Resolve(a);
    }
    void OnError(const Napi::Error & e) override {
        s->users--;
        deferred.Reject(make_error(Env(), "TRAIN", e.Message()).Value());
    }

  private:
    Napi::Promise::Deferred deferred;
    Napi::ObjectReference ref;
    Sidecar * s;
    std::vector<float> hidden;
    std::vector<uint8_t> correct;
    ProbeOptions o;
    std::vector<ProbeEpoch> epochs;
};

// trainProbes(sidecar, states: Float32Array n·(L·E + F), correct: Uint8Array n, options) -> Promise<epochs[]>
Napi::Value TrainProbes(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject() || !info[0].As<Napi::Object>().InstanceOf(Sidecar::constructor.Value())) throw_error(env, "INVALID_ARGUMENT", "trainProbes: the first argument must be a sidecar");
    Sidecar * s = Sidecar::Unwrap(info[0].As<Napi::Object>());
    const SidecarModel * m = s->get(env);
    if (s->users > 0) throw_error(env, "BUSY", "the sidecar is in use");
    Napi::Float32Array h = info[1].As<Napi::Float32Array>();
    Napi::Uint8Array y = info[2].As<Napi::Uint8Array>();
    const size_t per = (size_t) m->cfg.state_size();
    if (h.ElementLength() != per * y.ElementLength()) throw_error(env, "INVALID_ARGUMENT", "trainProbes: expected " + std::to_string(per) + " floats per example (L·E hidden states" + (m->cfg.n_out() > 0 ? std::string(", then the output features)") : std::string(")")));
    ProbeOptions o;
    if (info[3].IsObject()) {
        Napi::Object p = info[3].As<Napi::Object>();
        auto num = [&](const char * k, double def) { return p.Get(k).IsNumber() ? p.Get(k).As<Napi::Number>().DoubleValue() : def; };
        o.epochs = (int32_t) num("epochs", o.epochs);
        o.patience = (int32_t) num("patience", o.patience);
        o.accumulate = (int32_t) num("accumulate", o.accumulate);
        o.lr = (float) num("learningRate", o.lr);
        o.weight_decay = (float) num("weightDecay", o.weight_decay);
        o.val_fraction = num("valFraction", o.val_fraction);
        o.seed = (uint32_t) num("seed", o.seed);
    }
    auto * w = new TrainProbesWorker(env, s, std::vector<float>(h.Data(), h.Data() + h.ElementLength()), std::vector<uint8_t>(y.Data(), y.Data() + y.ElementLength()), o);
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
}

} // namespace cogito
