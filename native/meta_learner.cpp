// The meta-learner (issue 18, item 2; docs/meta.md, "Meta-learner"): a signals vector x of F floats,
// standardised with the training rows' per-feature mean and standard deviation, through one shared
// layer h = SiLU(W·x̂ + b) of H units to three heads: confidence (one logit, sigmoid), route (three
// logits, softmax over SELF/HYBRID/ORACLE) and error type (five logits, softmax over ERROR_TYPES).
//
// Training runs ggml-opt (AdamW) on the CPU backend, one epoch per call, so the epoch loop, the
// AbortSignal and progress stay in TypeScript (src/meta/learner.ts). ggml-opt minimises one scalar;
// the graph's output is each row's part of it,
//     s · w · (λc·BCE(σ(zc), t) + λr·CE(route) + λe·CE(error))
// (t the row's true confidence, a soft target; w its sample weight; s = 1/rows in the batch), and
// GGML_OPT_LOSS_TYPE_SUM adds the rows up: the batch's weighted mean loss.
//
// Gradient clipping at a global norm (ggml's AdamW step has none): ggml-opt runs with gradient
// accumulation over two micro-steps (opt_period = 2), both on the same batch. The first (ggml-opt's
// GRAD graph: forward and backward) leaves the batch's gradient in ggml-opt's accumulators; the
// session reads them (ggml_opt_grad_acc), takes the L2 norm over every parameter together and,
// above the limit, scales them in place by limit/norm. The second (the OPT graph) runs with s = 0,
// so its backward pass adds exactly zero, and its AdamW step uses the clipped gradient.
#include "meta_learner.h"

#include "backends.h"
#include "common.h"

#include "ggml-alloc.h"
#include "ggml-opt.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace cogito {

namespace {

constexpr int64_t META_ROUTES  = 3; // ROUTES in src/meta/labels.ts
constexpr int64_t META_ERRORS  = 5; // ERROR_TYPES in src/meta/labels.ts
constexpr int64_t META_OUTPUTS = 1 + META_ROUTES + META_ERRORS;
constexpr int64_t META_MAX_INPUTS = 4096;
constexpr int64_t META_MAX_HIDDEN = 4096;
constexpr int64_t META_MAX_BATCH  = 4096;
// rows per graph run when predicting or validating
constexpr int64_t META_EVAL_BATCH = 64;
// added to a softmax probability before its log: a target class the net rules out entirely costs
// −log(1e-7) ≈ 16 instead of an infinite loss and a NaN gradient
constexpr float META_LOG_EPS = 1e-7f;
// a feature that (nearly) never varies over the training rows is only centred, not scaled
constexpr double META_MIN_STD = 1e-6;

// One packed row: features, true confidence, route one-hot, error one-hot, sample weight.
struct RowLayout {
    int64_t F;
    int64_t conf() const { return F; }
    int64_t route() const { return F + 1; }
    int64_t error() const { return F + 1 + META_ROUTES; }
    int64_t weight() const { return F + 1 + META_ROUTES + META_ERRORS; }
    int64_t size() const { return F + 2 + META_ROUTES + META_ERRORS; }
};

struct opt_ctx_deleter { void operator()(ggml_opt_context_t c) const { ggml_opt_free(c); } };
struct sched_deleter { void operator()(ggml_backend_sched_t s) const { ggml_backend_sched_free(s); } };
struct backend_deleter { void operator()(ggml_backend_t b) const { ggml_backend_free(b); } };
struct gallocr_deleter { void operator()(ggml_gallocr_t a) const { ggml_gallocr_free(a); } };
using backend_ptr = std::unique_ptr<ggml_backend, backend_deleter>;

backend_ptr cpu_backend() {
    // a few thousand floats per step: more threads would only wait at the barriers (and one keeps
    // the results bit-identical from run to run)
    backend_ptr cpu(cpu_backend_new(1));
    if (!cpu) throw std::runtime_error("could not start the CPU backend");
    return cpu;
}

// The network's tensors, in one CPU buffer; names as in the GGUF (src/meta/learner-file.ts).
struct MetaNet {
    int64_t F, H;
    ggml_ptr ctx;
    buffer_ptr buf;
    ggml_tensor * mean = nullptr; // input.mean  [F]
    ggml_tensor * std  = nullptr; // input.std   [F]
    ggml_tensor * w1 = nullptr;   // shared.weight [F, H]
    ggml_tensor * b1 = nullptr;   // shared.bias   [H]
    ggml_tensor * wc = nullptr;   // confidence.weight [H, 1]
    ggml_tensor * bc = nullptr;   // confidence.bias   [1]
    ggml_tensor * wr = nullptr;   // route.weight [H, 3]
    ggml_tensor * br = nullptr;   // route.bias   [3]
    ggml_tensor * we = nullptr;   // error.weight [H, 5]
    ggml_tensor * be = nullptr;   // error.bias   [5]

    MetaNet(int64_t F, int64_t H, ggml_backend_t cpu) : F(F), H(H) {
        ggml_init_params p = { ggml_tensor_overhead() * 10, nullptr, true };
        ctx.reset(ggml_init(p));
        auto mk = [&](const char * name, int64_t ne0, int64_t ne1) {
            ggml_tensor * t = ne1 > 0 ? ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, ne0, ne1) : ggml_new_tensor_1d(ctx.get(), GGML_TYPE_F32, ne0);
            ggml_set_name(t, name);
            return t;
        };
        mean = mk("input.mean", F, 0);
        std  = mk("input.std", F, 0);
        w1 = mk("shared.weight", F, H);
        b1 = mk("shared.bias", H, 0);
        wc = mk("confidence.weight", H, 1);
        bc = mk("confidence.bias", 1, 0);
        wr = mk("route.weight", H, META_ROUTES);
        br = mk("route.bias", META_ROUTES, 0);
        we = mk("error.weight", H, META_ERRORS);
        be = mk("error.bias", META_ERRORS, 0);
        buf.reset(ggml_backend_alloc_ctx_tensors(ctx.get(), cpu));
        if (!buf) throw std::runtime_error("could not allocate the meta-learner's weights");
    }

    std::vector<ggml_tensor *> tensors() const { return { mean, std, w1, b1, wc, bc, wr, br, we, be }; }
    std::vector<ggml_tensor *> params() const { return { w1, b1, wc, bc, wr, br, we, be }; }
};

struct MetaLogits {
    ggml_tensor * conf;  // [1, B]
    ggml_tensor * route; // [3, B]
    ggml_tensor * error; // [5, B]
};

// x: raw signals [F, B]
MetaLogits meta_forward(ggml_context * c, const MetaNet & n, ggml_tensor * x) {
    ggml_tensor * xs = ggml_div(c, ggml_sub(c, x, n.mean), n.std);
    ggml_tensor * h = ggml_silu(c, ggml_add(c, ggml_mul_mat(c, n.w1, xs), n.b1));
    return {
        ggml_add(c, ggml_mul_mat(c, n.wc, h), n.bc),
        ggml_add(c, ggml_mul_mat(c, n.wr, h), n.br),
        ggml_add(c, ggml_mul_mat(c, n.we, h), n.be),
    };
}

// rows [first, first + count) of every packed column of `in` [D, B], contiguous
ggml_tensor * columns(ggml_context * c, ggml_tensor * in, int64_t first, int64_t count) {
    return ggml_cont(c, ggml_view_2d(c, in, count, in->ne[1], in->nb[1], first * ggml_element_size(in)));
}

// Each row's unweighted loss [1, B]: λc·BCE + λr·CE(route) + λe·CE(error), over packed rows `in`.
// BCE against a soft target t is softplus(z) − t·z (stable for any logit); a class's cross entropy
// is −log(softmax(z)·y + ε) with y one-hot.
ggml_tensor * meta_row_loss(ggml_context * c, const MetaLogits & z, ggml_tensor * in, const RowLayout & L, ggml_tensor * eps, const float lw[3]) {
    ggml_tensor * t = columns(c, in, L.conf(), 1);
    ggml_tensor * bce = ggml_sub(c, ggml_softplus(c, z.conf), ggml_mul(c, z.conf, t));
    auto log_p = [&](ggml_tensor * logits, int64_t first, int64_t k) {
        ggml_tensor * p = ggml_sum_rows(c, ggml_mul(c, ggml_soft_max(c, logits), columns(c, in, first, k)));
        return ggml_log(c, ggml_add(c, p, eps));
    };
    ggml_tensor * loss = ggml_scale(c, bce, lw[0]);
    loss = ggml_add(c, loss, ggml_scale(c, log_p(z.route, L.route(), META_ROUTES), -lw[1]));
    loss = ggml_add(c, loss, ggml_scale(c, log_p(z.error, L.error(), META_ERRORS), -lw[2]));
    return loss;
}

// A forward graph over the net's current weights, for predictions (and, with loss weights, each
// row's loss): packed rows in, probabilities [9, B] out (confidence, route ×3, error ×5).
struct MetaEvaluator {
    ggml_backend_t cpu;
    RowLayout L;
    ggml_ptr ctx_in, ctx;
    buffer_ptr buf_in;
    std::unique_ptr<ggml_gallocr, gallocr_deleter> alloc;
    ggml_tensor * inputs = nullptr;
    ggml_tensor * probs = nullptr;
    ggml_tensor * loss = nullptr;
    ggml_cgraph * gf = nullptr;

    // built before the net's tensors are marked as parameters (a parameter is a graph node, not a leaf)
    MetaEvaluator(const MetaNet & net, ggml_backend_t cpu, const float * lw) : cpu(cpu), L{ net.F } {
        ggml_init_params pi = { ggml_tensor_overhead() * 2, nullptr, true };
        ctx_in.reset(ggml_init(pi));
        inputs = ggml_new_tensor_2d(ctx_in.get(), GGML_TYPE_F32, L.size(), META_EVAL_BATCH);
        ggml_tensor * eps = ggml_new_tensor_1d(ctx_in.get(), GGML_TYPE_F32, 1);
        buf_in.reset(ggml_backend_alloc_ctx_tensors(ctx_in.get(), cpu));
        if (!buf_in) throw std::runtime_error("could not allocate the meta-learner's inputs");
        ggml_backend_tensor_set(eps, &META_LOG_EPS, 0, sizeof(float));

        ggml_init_params pc = { ggml_tensor_overhead() * 256 + ggml_graph_overhead(), nullptr, true };
        ctx.reset(ggml_init(pc));
        ggml_context * c = ctx.get();
        const MetaLogits z = meta_forward(c, net, columns(c, inputs, 0, net.F));
        probs = ggml_concat(c, ggml_concat(c, ggml_sigmoid(c, z.conf), ggml_soft_max(c, z.route), 0), ggml_soft_max(c, z.error), 0);
        ggml_set_output(probs);
        gf = ggml_new_graph(c);
        ggml_build_forward_expand(gf, probs);
        if (lw) {
            loss = meta_row_loss(c, z, inputs, L, eps, lw);
            ggml_set_output(loss);
            ggml_build_forward_expand(gf, loss);
        }
        alloc.reset(ggml_gallocr_new(ggml_backend_get_default_buffer_type(cpu)));
        if (!ggml_gallocr_alloc_graph(alloc.get(), gf)) throw std::runtime_error("could not allocate the meta-learner's graph");
    }

    // n packed rows → n·9 probabilities and, when built with loss weights, n losses
    void run(const float * rows, int64_t n, float * probs_out, float * loss_out) {
        std::vector<float> chunk(L.size() * META_EVAL_BATCH);
        for (int64_t start = 0; start < n; start += META_EVAL_BATCH) {
            const int64_t m = std::min(META_EVAL_BATCH, n - start);
            std::fill(chunk.begin(), chunk.end(), 0.0f);
            std::copy(rows + start * L.size(), rows + (start + m) * L.size(), chunk.begin());
            ggml_backend_tensor_set(inputs, chunk.data(), 0, ggml_nbytes(inputs));
            if (ggml_backend_graph_compute(cpu, gf) != GGML_STATUS_SUCCESS) throw std::runtime_error("the meta-learner's graph failed to compute");
            if (probs_out) ggml_backend_tensor_get(probs, probs_out + start * META_OUTPUTS, 0, m * META_OUTPUTS * sizeof(float));
            if (loss_out && loss) ggml_backend_tensor_get(loss, loss_out + start, 0, m * sizeof(float));
        }
    }
};

struct MetaTrainOptions {
    int64_t F = 0, H = 32, batch = 32;
    float lr = 1e-2f, wd = 1e-4f;
    float clip = 1.0f; // global gradient-norm limit; 0: none
    uint32_t seed = 1;
    float lw[3] = { 2.0f, 1.5f, 1.0f };
};

struct MetaEpoch {
    double train_loss = 0, val_loss = NAN, grad_norm_max = 0;
    int64_t steps = 0, clipped = 0;
};

// Packed rows with their total weight.
struct MetaRows {
    int64_t n = 0;
    double weight = 0;
    std::vector<float> packed;
};

ggml_opt_optimizer_params meta_opt_pars(void * ud) {
    const auto * o = static_cast<const MetaTrainOptions *>(ud);
    ggml_opt_optimizer_params p = ggml_opt_get_default_optimizer_params(nullptr);
    p.adamw.alpha = o->lr;
    p.adamw.wd = o->wd;
    return p;
}

// Uniform in [0, 1) from the generator's raw bits: the same numbers with every standard library.
float uniform01(std::mt19937 & rng) { return (float) (rng() >> 8) * (1.0f / 16777216.0f); }

void set_floats(ggml_tensor * t, const std::vector<float> & v) { ggml_backend_tensor_set(t, v.data(), 0, ggml_nbytes(t)); }

std::vector<float> get_floats(const ggml_tensor * t) {
    std::vector<float> v(ggml_nelements(t));
    ggml_backend_tensor_get(t, v.data(), 0, ggml_nbytes(t));
    return v;
}

// One training session over fixed training and validation rows: the net, its optimizer and graphs.
struct MetaTrainSession {
    MetaTrainOptions o;
    RowLayout L;
    MetaRows train, val;
    backend_ptr cpu;
    std::unique_ptr<ggml_backend_sched, sched_deleter> sched;
    std::unique_ptr<MetaNet> net;
    std::unique_ptr<MetaEvaluator> eval;
    ggml_ptr ctx_static, ctx_compute;
    buffer_ptr buf;
    ggml_tensor * inputs = nullptr;
    ggml_tensor * scale = nullptr;
    std::unique_ptr<ggml_opt_context, opt_ctx_deleter> opt;
    std::mt19937 rng;
    std::vector<int64_t> order;

    MetaTrainSession(const MetaTrainOptions & opts, MetaRows train_rows, MetaRows val_rows)
        : o(opts), L{ opts.F }, train(std::move(train_rows)), val(std::move(val_rows)), rng(opts.seed) {
        if (train.n < 1 || !(train.weight > 0)) throw std::runtime_error("meta-learner training needs rows with a positive total weight");
        cpu = cpu_backend();
        ggml_backend_t backends[] = { cpu.get() };
        sched.reset(ggml_backend_sched_new(backends, nullptr, 1, 1024, false, true));
        net = std::make_unique<MetaNet>(o.F, o.H, cpu.get());
        init_weights();
        eval = std::make_unique<MetaEvaluator>(*net, cpu.get(), o.lw);

        ggml_init_params sp = { ggml_tensor_overhead() * 3, nullptr, true };
        ctx_static.reset(ggml_init(sp));
        inputs = ggml_new_tensor_2d(ctx_static.get(), GGML_TYPE_F32, L.size(), o.batch);
        scale = ggml_new_tensor_1d(ctx_static.get(), GGML_TYPE_F32, 1);
        ggml_tensor * eps = ggml_new_tensor_1d(ctx_static.get(), GGML_TYPE_F32, 1);
        buf.reset(ggml_backend_alloc_ctx_tensors(ctx_static.get(), cpu.get()));
        if (!buf) throw std::runtime_error("could not allocate the meta-learner's training inputs");
        ggml_backend_tensor_set(eps, &META_LOG_EPS, 0, sizeof(float));

        ggml_init_params cp = { ggml_tensor_overhead() * GGML_DEFAULT_GRAPH_SIZE + 3 * ggml_graph_overhead_custom(GGML_DEFAULT_GRAPH_SIZE, true), nullptr, true };
        ctx_compute.reset(ggml_init(cp));
        ggml_context * c = ctx_compute.get();
        const MetaLogits z = meta_forward(c, *net, columns(c, inputs, 0, o.F));
        ggml_tensor * weighted = ggml_mul(c, meta_row_loss(c, z, inputs, L, eps, o.lw), columns(c, inputs, L.weight(), 1));
        ggml_tensor * outputs = ggml_mul(c, weighted, scale); // [1, batch]
        for (ggml_tensor * p : net->params()) ggml_set_param(p);

        ggml_opt_params op = ggml_opt_default_params(sched.get(), GGML_OPT_LOSS_TYPE_SUM);
        op.ctx_compute = c;
        op.inputs = inputs;
        op.outputs = outputs;
        op.opt_period = 2; // a gradient pass, then the step: the clip happens between them (see the top)
        op.get_opt_pars = meta_opt_pars;
        op.get_opt_pars_ud = &o;
        opt.reset(ggml_opt_init(op));

        order.resize(train.n);
        for (int64_t i = 0; i < train.n; ++i) order[i] = i;
    }

    // Standardisation from the training rows; Glorot-uniform weights; each head's bias at the
    // training rows' weighted prior (the mean true confidence, the log class shares), so the first
    // epochs learn the signals rather than the base rates.
    void init_weights() {
        const int64_t F = o.F, H = o.H, D = L.size();
        std::vector<double> sum(F, 0.0), sq(F, 0.0);
        for (int64_t i = 0; i < train.n; ++i) {
            for (int64_t f = 0; f < F; ++f) sum[f] += train.packed[i * D + f];
        }
        std::vector<float> mean(F), stdev(F);
        for (int64_t f = 0; f < F; ++f) mean[f] = (float) (sum[f] / train.n);
        for (int64_t i = 0; i < train.n; ++i) {
            for (int64_t f = 0; f < F; ++f) {
                const double d = train.packed[i * D + f] - mean[f];
                sq[f] += d * d;
            }
        }
        for (int64_t f = 0; f < F; ++f) {
            const double s = std::sqrt(sq[f] / train.n);
            stdev[f] = s < META_MIN_STD ? 1.0f : (float) s;
        }
        set_floats(net->mean, mean);
        set_floats(net->std, stdev);

        auto glorot = [&](ggml_tensor * t) {
            const float a = std::sqrt(6.0f / (float) (t->ne[0] + t->ne[1]));
            std::vector<float> v(ggml_nelements(t));
            for (float & x : v) x = (2.0f * uniform01(rng) - 1.0f) * a;
            set_floats(t, v);
        };
        glorot(net->w1);
        glorot(net->wc);
        glorot(net->wr);
        glorot(net->we);
        set_floats(net->b1, std::vector<float>(H, 0.0f));

        double conf = 0;
        std::vector<double> route(META_ROUTES, 0.0), error(META_ERRORS, 0.0);
        for (int64_t i = 0; i < train.n; ++i) {
            const float * r = train.packed.data() + i * D;
            const double w = r[L.weight()];
            conf += w * r[L.conf()];
            for (int64_t k = 0; k < META_ROUTES; ++k) route[k] += w * r[L.route() + k];
            for (int64_t k = 0; k < META_ERRORS; ++k) error[k] += w * r[L.error() + k];
        }
        const double t = std::clamp(conf / train.weight, 0.02, 0.98);
        set_floats(net->bc, { (float) std::log(t / (1.0 - t)) });
        auto log_shares = [&](const std::vector<double> & counts) {
            std::vector<float> b(counts.size());
            // half a row's weight per class: a class unseen in training keeps a finite bias
            for (size_t k = 0; k < counts.size(); ++k) b[k] = (float) std::log((counts[k] + 0.5) / (train.weight + 0.5 * counts.size()));
            return b;
        };
        set_floats(net->br, log_shares(route));
        set_floats(net->be, log_shares(error));
    }

    ~MetaTrainSession() {
        if (net) {
            for (ggml_tensor * p : net->params()) p->flags &= ~GGML_TENSOR_FLAG_PARAM;
        }
    }

    // The global L2 norm of the accumulated gradient; above the limit, the gradient is scaled down to it.
    double clip_gradient(bool & clipped) {
        std::vector<std::vector<float>> grads;
        double sq = 0;
        for (ggml_tensor * p : net->params()) {
            grads.push_back(get_floats(ggml_opt_grad_acc(opt.get(), p)));
            for (float g : grads.back()) sq += (double) g * g;
        }
        const double norm = std::sqrt(sq);
        if (!std::isfinite(norm)) throw CodedError("TRAIN", "the meta-learner's gradient is not finite (a weight or a loss overflowed)");
        clipped = o.clip > 0 && norm > o.clip;
        if (clipped) {
            const float f = (float) (o.clip / norm);
            size_t k = 0;
            for (ggml_tensor * p : net->params()) {
                for (float & g : grads[k]) g *= f;
                set_floats(ggml_opt_grad_acc(opt.get(), p), grads[k]);
                ++k;
            }
        }
        return norm;
    }

    MetaEpoch epoch() {
        MetaEpoch e;
        const int64_t D = L.size();
        // Fisher–Yates with the session's generator: the same order for the same seed everywhere
        for (int64_t i = train.n - 1; i > 0; --i) std::swap(order[i], order[rng() % (uint32_t) (i + 1)]);
        std::vector<float> batch(D * o.batch);
        double weighted_loss = 0;
        for (int64_t start = 0; start < train.n; start += o.batch) {
            const int64_t m = std::min(o.batch, train.n - start);
            // a short last batch is padded with rows of weight 0: they add nothing to loss or gradient
            std::fill(batch.begin(), batch.end(), 0.0f);
            for (int64_t k = 0; k < m; ++k) {
                const float * r = train.packed.data() + order[start + k] * D;
                std::copy(r, r + D, batch.begin() + k * D);
            }
            ggml_backend_tensor_set(inputs, batch.data(), 0, ggml_nbytes(inputs));

            const float s = 1.0f / (float) m;
            ggml_backend_tensor_set(scale, &s, 0, sizeof(float));
            ggml_opt_alloc(opt.get(), true); // the GRAD graph: gradient into the accumulators
            ggml_opt_eval(opt.get(), nullptr);
            float loss = 0;
            ggml_backend_tensor_get(ggml_opt_loss(opt.get()), &loss, 0, sizeof(float));
            weighted_loss += (double) loss * m;

            bool clipped = false;
            e.grad_norm_max = std::max(e.grad_norm_max, clip_gradient(clipped));
            e.clipped += clipped;

            const float zero = 0.0f;
            ggml_backend_tensor_set(scale, &zero, 0, sizeof(float));
            ggml_opt_alloc(opt.get(), true); // the OPT graph: adds a zero gradient, then AdamW steps
            ggml_opt_eval(opt.get(), nullptr);
            e.steps++;
        }
        e.train_loss = weighted_loss / train.weight;
        if (val.n > 0 && val.weight > 0) e.val_loss = weighted_loss_of(val);
        if (!std::isfinite(e.train_loss)) throw CodedError("TRAIN", "the meta-learner's training loss is not finite");
        return e;
    }

    // Σ w·loss / Σ w over packed rows, with the current weights
    double weighted_loss_of(const MetaRows & rows) {
        std::vector<float> loss(rows.n);
        eval->run(rows.packed.data(), rows.n, nullptr, loss.data());
        double total = 0;
        for (int64_t i = 0; i < rows.n; ++i) total += (double) loss[i] * rows.packed[i * L.size() + L.weight()];
        return total / rows.weight;
    }
};

// ---- JS arguments --------------------------------------------------------------------------

template <typename T>
T typed(Napi::Env env, Napi::Value v, napi_typedarray_type type, const std::string & what, const char * type_name) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) throw_error(env, "INVALID_ARGUMENT", what + " must be a " + type_name);
    return v.As<T>();
}

int64_t integer_in(Napi::Env env, Napi::Object o, const char * key, int64_t def, int64_t lo, int64_t hi) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return def;
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
    if (!(d >= (double) lo && d <= (double) hi) || d != std::floor(d)) {
        throw_error(env, "INVALID_ARGUMENT", std::string(key) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return (int64_t) d;
}

// a finite number in [lo, hi] (lo excluded when open_lo)
float number_in(Napi::Env env, Napi::Object o, const char * key, float def, double lo, double hi, bool open_lo) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return def;
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
    if (!std::isfinite(d) || d > hi || d < lo || (open_lo && d == lo)) {
        throw_error(env, "INVALID_ARGUMENT", std::string(key) + " must be a finite number in " + (open_lo ? "(" : "[") + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return (float) d;
}

// {features: Float32Array n·F, confidence: Float32Array n, route: Uint8Array n, error: Uint8Array n, weight: Float32Array n}
MetaRows pack_rows(Napi::Env env, Napi::Value value, int64_t F, const std::string & which) {
    if (!value.IsObject()) throw_error(env, "INVALID_ARGUMENT", which + " rows must be an object of typed arrays");
    Napi::Object o = value.As<Napi::Object>();
    auto features = typed<Napi::Float32Array>(env, o.Get("features"), napi_float32_array, which + ".features", "Float32Array");
    auto conf = typed<Napi::Float32Array>(env, o.Get("confidence"), napi_float32_array, which + ".confidence", "Float32Array");
    auto route = typed<Napi::Uint8Array>(env, o.Get("route"), napi_uint8_array, which + ".route", "Uint8Array");
    auto error = typed<Napi::Uint8Array>(env, o.Get("error"), napi_uint8_array, which + ".error", "Uint8Array");
    auto weight = typed<Napi::Float32Array>(env, o.Get("weight"), napi_float32_array, which + ".weight", "Float32Array");
    const size_t n = conf.ElementLength();
    if (features.ElementLength() != n * (size_t) F || route.ElementLength() != n || error.ElementLength() != n || weight.ElementLength() != n) {
        throw_error(env, "INVALID_ARGUMENT", which + ": expected " + std::to_string(F) + " features and one confidence, route, error and weight per row");
    }
    const RowLayout L{ F };
    MetaRows rows;
    rows.n = (int64_t) n;
    rows.packed.assign(n * L.size(), 0.0f);
    for (size_t i = 0; i < n; ++i) {
        float * r = rows.packed.data() + i * L.size();
        for (int64_t f = 0; f < F; ++f) {
            const float x = features.Data()[i * F + f];
            if (!std::isfinite(x)) throw_error(env, "INVALID_ARGUMENT", which + " row " + std::to_string(i) + ": feature " + std::to_string(f) + " is not finite");
            r[f] = x;
        }
        if (!(conf[i] >= 0.0f && conf[i] <= 1.0f)) throw_error(env, "INVALID_ARGUMENT", which + " row " + std::to_string(i) + ": confidence must be in [0, 1]");
        if (route[i] >= META_ROUTES) throw_error(env, "INVALID_ARGUMENT", which + " row " + std::to_string(i) + ": route must be below " + std::to_string(META_ROUTES));
        if (error[i] >= META_ERRORS) throw_error(env, "INVALID_ARGUMENT", which + " row " + std::to_string(i) + ": error must be below " + std::to_string(META_ERRORS));
        if (!(std::isfinite(weight[i]) && weight[i] >= 0.0f)) throw_error(env, "INVALID_ARGUMENT", which + " row " + std::to_string(i) + ": weight must be finite and >= 0");
        r[L.conf()] = conf[i];
        r[L.route() + route[i]] = 1.0f;
        r[L.error() + error[i]] = 1.0f;
        r[L.weight()] = weight[i];
        rows.weight += weight[i];
    }
    return rows;
}

Napi::Array tensors_to_js(Napi::Env env, const std::vector<ggml_tensor *> & ts) {
    Napi::Array out = Napi::Array::New(env, ts.size());
    for (size_t i = 0; i < ts.size(); ++i) {
        Napi::Object t = Napi::Object::New(env);
        t.Set("name", ggml_get_name(ts[i]));
        Napi::Array shape = Napi::Array::New(env, ggml_n_dims(ts[i]));
        for (int d = 0; d < ggml_n_dims(ts[i]); ++d) shape.Set((uint32_t) d, (double) ts[i]->ne[d]);
        t.Set("shape", shape);
        const std::vector<float> v = get_floats(ts[i]);
        Napi::Float32Array data = Napi::Float32Array::New(env, v.size());
        std::copy(v.begin(), v.end(), data.Data());
        t.Set("data", data);
        out.Set((uint32_t) i, t);
    }
    return out;
}

// Puts [{name, data}] into `ts` (every tensor named once; finite values; input.std > 0); checks all before writing any.
void tensors_from_js(Napi::Env env, Napi::Value value, const std::vector<ggml_tensor *> & ts, const char * what) {
    if (!value.IsArray()) throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": expected an array of {name, data}");
    Napi::Array a = value.As<Napi::Array>();
    if (a.Length() != ts.size()) throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": expected " + std::to_string(ts.size()) + " tensors");
    std::vector<Napi::Float32Array> found(ts.size());
    for (uint32_t i = 0; i < a.Length(); ++i) {
        Napi::Value item = a.Get(i);
        if (!item.IsObject() || !item.As<Napi::Object>().Get("name").IsString()) throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": each tensor needs a name");
        const std::string name = item.As<Napi::Object>().Get("name").As<Napi::String>();
        size_t k = 0;
        while (k < ts.size() && name != ggml_get_name(ts[k])) ++k;
        if (k == ts.size()) throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": unknown tensor '" + name + "'");
        if (!found[k].IsEmpty()) throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": tensor '" + name + "' given twice");
        auto data = typed<Napi::Float32Array>(env, item.As<Napi::Object>().Get("data"), napi_float32_array, std::string(what) + ": '" + name + "'.data", "Float32Array");
        if (data.ElementLength() != (size_t) ggml_nelements(ts[k])) {
            throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": '" + name + "' needs " + std::to_string(ggml_nelements(ts[k])) + " values");
        }
        const bool positive = name == "input.std";
        for (size_t j = 0; j < data.ElementLength(); ++j) {
            if (!std::isfinite(data[j]) || (positive && !(data[j] > 0.0f))) {
                throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": '" + name + "' holds a " + (positive ? "non-positive or non-finite" : "non-finite") + " value");
            }
        }
        found[k] = data;
    }
    for (size_t k = 0; k < ts.size(); ++k) ggml_backend_tensor_set(ts[k], found[k].Data(), 0, ggml_nbytes(ts[k]));
}

// ---- the trainer ---------------------------------------------------------------------------

class MetaTrainer : public Napi::ObjectWrap<MetaTrainer> {
  public:
    static Napi::FunctionReference constructor;

    explicit MetaTrainer(const Napi::CallbackInfo & info) : Napi::ObjectWrap<MetaTrainer>(info) {}

    std::unique_ptr<MetaTrainSession> session;
    bool busy = false;

    MetaTrainSession & get(Napi::Env env) {
        if (!session) throw_error(env, "DISPOSED", "the meta-learner trainer has been disposed");
        if (busy) throw_error(env, "BUSY", "the meta-learner trainer is running an epoch");
        return *session;
    }

    Napi::Value Epoch(const Napi::CallbackInfo & info);
    Napi::Value Weights(const Napi::CallbackInfo & info) { return tensors_to_js(info.Env(), get(info.Env()).net->tensors()); }
    Napi::Value SetWeights(const Napi::CallbackInfo & info) {
        MetaTrainSession & s = get(info.Env());
        tensors_from_js(info.Env(), info[0], s.net->tensors(), "setWeights");
        return info.Env().Undefined();
    }
    Napi::Value Dispose(const Napi::CallbackInfo & info) {
        if (busy) throw_error(info.Env(), "BUSY", "the meta-learner trainer is running an epoch");
        session.reset();
        release_freed_memory();
        return info.Env().Undefined();
    }
};

Napi::FunctionReference MetaTrainer::constructor;

class MetaEpochWorker : public PromiseWorker {
  public:
    MetaEpochWorker(Napi::Env env, MetaTrainer * t) : PromiseWorker(env, "TRAIN"), t(t) {
        ref = Napi::Persistent(t->Value());
        t->busy = true;
    }

  private:
    void run() override { e = t->session->epoch(); }
    void finish() override { t->busy = false; }
    Napi::Value resolve(Napi::Env env) override {
        Napi::Object r = Napi::Object::New(env);
        r.Set("trainLoss", e.train_loss);
        r.Set("validationLoss", std::isfinite(e.val_loss) ? Napi::Value(Napi::Number::New(env, e.val_loss)) : env.Null());
        r.Set("steps", (double) e.steps);
        r.Set("clippedSteps", (double) e.clipped);
        r.Set("gradNormMax", e.grad_norm_max);
        return r;
    }

    Napi::ObjectReference ref;
    MetaTrainer * t;
    MetaEpoch e;
};

// epoch() -> Promise<{trainLoss, validationLoss, steps, clippedSteps, gradNormMax}>
Napi::Value MetaTrainer::Epoch(const Napi::CallbackInfo & info) {
    get(info.Env());
    return (new MetaEpochWorker(info.Env(), this))->queue();
}

// openMetaTrainer(train rows, validation rows | null, {inputs, hidden, batchSize, learningRate,
//                 weightDecay, clip, seed, lossWeights: [confidence, route, error]}) -> MetaTrainer
Napi::Value OpenMetaTrainer(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[2].IsObject()) throw_error(env, "INVALID_ARGUMENT", "openMetaTrainer: options must be an object");
    Napi::Object p = info[2].As<Napi::Object>();
    MetaTrainOptions o;
    o.F = integer_in(env, p, "inputs", -1, 1, META_MAX_INPUTS);
    o.H = integer_in(env, p, "hidden", o.H, 1, META_MAX_HIDDEN);
    o.batch = integer_in(env, p, "batchSize", o.batch, 1, META_MAX_BATCH);
    // ggml's AdamW asserts on these (an abort, not an exception): checked here whatever the caller checked
    o.lr = number_in(env, p, "learningRate", o.lr, 0.0, 10.0, true);
    o.wd = number_in(env, p, "weightDecay", o.wd, 0.0, 1.0, false);
    o.clip = number_in(env, p, "clip", o.clip, 0.0, 1e30, false);
    o.seed = (uint32_t) integer_in(env, p, "seed", o.seed, 0, 0xffffffffll);
    Napi::Value lw = p.Get("lossWeights");
    if (!lw.IsUndefined()) {
        if (!lw.IsArray() || lw.As<Napi::Array>().Length() != 3) throw_error(env, "INVALID_ARGUMENT", "lossWeights must be [confidence, route, error]");
        for (uint32_t k = 0; k < 3; ++k) {
            Napi::Value v = lw.As<Napi::Array>().Get(k);
            const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
            if (!(std::isfinite(d) && d >= 0)) throw_error(env, "INVALID_ARGUMENT", "lossWeights must be finite numbers >= 0");
            o.lw[k] = (float) d;
        }
    }
    MetaRows train = pack_rows(env, info[0], o.F, "train");
    MetaRows val = info[1].IsNull() || info[1].IsUndefined() ? MetaRows{} : pack_rows(env, info[1], o.F, "validation");
    if (!(train.weight > 0)) throw_error(env, "INVALID_ARGUMENT", "openMetaTrainer: the training rows' weights must not all be 0");
    std::unique_ptr<MetaTrainSession> session;
    try {
        session = std::make_unique<MetaTrainSession>(o, std::move(train), std::move(val));
    } catch (const std::exception & e) {
        throw_error(env, "TRAIN", e.what());
    }
    Napi::Object obj = MetaTrainer::constructor.New({});
    MetaTrainer::Unwrap(obj)->session = std::move(session);
    return obj;
}

// ---- the predictor -------------------------------------------------------------------------

struct MetaPredictor {
    backend_ptr cpu;
    std::unique_ptr<MetaNet> net;
    std::unique_ptr<MetaEvaluator> eval;
};

class MetaNetHandle : public Napi::ObjectWrap<MetaNetHandle> {
  public:
    static Napi::FunctionReference constructor;

    explicit MetaNetHandle(const Napi::CallbackInfo & info) : Napi::ObjectWrap<MetaNetHandle>(info) {}

    std::unique_ptr<MetaPredictor> p;

    // predict(features: Float32Array n·F) -> Float32Array n·9: confidence, route ×3, error ×5
    Napi::Value Predict(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        if (!p) throw_error(env, "DISPOSED", "the meta-learner has been disposed");
        const int64_t F = p->net->F;
        auto x = typed<Napi::Float32Array>(env, info[0], napi_float32_array, "predict: features", "Float32Array");
        if (x.ElementLength() % (size_t) F != 0) throw_error(env, "INVALID_ARGUMENT", "predict: expected " + std::to_string(F) + " features per row");
        const int64_t n = (int64_t) x.ElementLength() / F;
        const RowLayout L{ F };
        std::vector<float> rows(n * L.size(), 0.0f);
        for (int64_t i = 0; i < n; ++i) {
            for (int64_t f = 0; f < F; ++f) {
                const float v = x.Data()[i * F + f];
                if (!std::isfinite(v)) throw_error(env, "INVALID_ARGUMENT", "predict: row " + std::to_string(i) + ", feature " + std::to_string(f) + " is not finite");
                rows[i * L.size() + f] = v;
            }
        }
        Napi::Float32Array out = Napi::Float32Array::New(env, n * META_OUTPUTS);
        try {
            p->eval->run(rows.data(), n, out.Data(), nullptr);
        } catch (const std::exception & e) {
            throw_error(env, "NATIVE", e.what());
        }
        return out;
    }

    Napi::Value Weights(const Napi::CallbackInfo & info) {
        if (!p) throw_error(info.Env(), "DISPOSED", "the meta-learner has been disposed");
        return tensors_to_js(info.Env(), p->net->tensors());
    }

    Napi::Value Dispose(const Napi::CallbackInfo & info) {
        p.reset();
        return info.Env().Undefined();
    }
};

Napi::FunctionReference MetaNetHandle::constructor;

// openMetaNet(inputs, hidden, tensors: [{name, data}] — every tensor of the net) -> MetaNet
Napi::Value OpenMetaNet(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    Napi::Object dims = Napi::Object::New(env);
    dims.Set("inputs", info[0]);
    dims.Set("hidden", info[1]);
    const int64_t F = integer_in(env, dims, "inputs", -1, 1, META_MAX_INPUTS);
    const int64_t H = integer_in(env, dims, "hidden", -1, 1, META_MAX_HIDDEN);
    auto p = std::make_unique<MetaPredictor>();
    try {
        p->cpu = cpu_backend();
        p->net = std::make_unique<MetaNet>(F, H, p->cpu.get());
    } catch (const std::exception & e) {
        throw_error(env, "NATIVE", e.what());
    }
    tensors_from_js(env, info[2], p->net->tensors(), "openMetaNet");
    try {
        p->eval = std::make_unique<MetaEvaluator>(*p->net, p->cpu.get(), nullptr);
    } catch (const std::exception & e) {
        throw_error(env, "NATIVE", e.what());
    }
    Napi::Object obj = MetaNetHandle::constructor.New({});
    MetaNetHandle::Unwrap(obj)->p = std::move(p);
    return obj;
}

} // namespace

void init_meta_learner(Napi::Env env, Napi::Object exports) {
    Napi::Function trainer = MetaTrainer::DefineClass(env, "MetaTrainer", {
        MetaTrainer::InstanceMethod("epoch", &MetaTrainer::Epoch),
        MetaTrainer::InstanceMethod("weights", &MetaTrainer::Weights),
        MetaTrainer::InstanceMethod("setWeights", &MetaTrainer::SetWeights),
        MetaTrainer::InstanceMethod("dispose", &MetaTrainer::Dispose),
    });
    MetaTrainer::constructor = Napi::Persistent(trainer);
    MetaTrainer::constructor.SuppressDestruct();
    Napi::Function net = MetaNetHandle::DefineClass(env, "MetaNet", {
        MetaNetHandle::InstanceMethod("predict", &MetaNetHandle::Predict),
        MetaNetHandle::InstanceMethod("weights", &MetaNetHandle::Weights),
        MetaNetHandle::InstanceMethod("dispose", &MetaNetHandle::Dispose),
    });
    MetaNetHandle::constructor = Napi::Persistent(net);
    MetaNetHandle::constructor.SuppressDestruct();
    exports.Set("MetaTrainer", trainer);
    exports.Set("MetaNet", net);
    exports.Set("openMetaTrainer", Napi::Function::New(env, OpenMetaTrainer));
    exports.Set("openMetaNet", Napi::Function::New(env, OpenMetaNet));
}

} // namespace cogito
