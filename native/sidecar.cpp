#include "sidecar.h"
#include "gguf_io.h"

#include "ggml-alloc.h"
#include "ggml-cpu.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace cogito {

static const uint32_t SIDECAR_VERSION = 2; // and reads version 1
static const char *   KEY_PREFIX      = "cogito.sidecar.";

int32_t SidecarConfig::inject_index(int32_t il) const {
    for (size_t j = 0; j < inject_layers.size(); ++j) if (inject_layers[j] == il) return (int32_t) j;
    return -1;
}

float agc_alpha(int32_t step, float floor, float tau) {
    return floor + (1.0f - floor) * std::exp(-(float) step / tau);
}

// ---- metadata ----------------------------------------------------------------------------------

[[noreturn]] static void bad(const std::string & msg) { throw std::runtime_error(msg); }

static int64_t find_key(const gguf_context * g, const std::string & key, gguf_type type) {
    const int64_t id = gguf_find_key(g, key.c_str());
    if (id < 0) bad("missing metadata key '" + key + "'");
    if (gguf_get_kv_type(g, id) != type) bad("metadata key '" + key + "' has type " + gguf_type_name(gguf_get_kv_type(g, id)) + ", expected " + gguf_type_name(type));
    return id;
}

static uint32_t get_u32(const gguf_context * g, const char * name) {
    return gguf_get_val_u32(g, find_key(g, std::string(KEY_PREFIX) + name, GGUF_TYPE_UINT32));
}

static float get_f32(const gguf_context * g, const char * name) {
    return gguf_get_val_f32(g, find_key(g, std::string(KEY_PREFIX) + name, GGUF_TYPE_FLOAT32));
}

static std::string get_str(const gguf_context * g, const std::string & key) {
    return gguf_get_val_str(g, find_key(g, key, GGUF_TYPE_STRING));
}

static std::vector<int32_t> get_layers(const gguf_context * g, const char * name, int32_t n_layer) {
    const std::string key = std::string(KEY_PREFIX) + name;
    const int64_t id = find_key(g, key, GGUF_TYPE_ARRAY);
    if (gguf_get_arr_type(g, id) != GGUF_TYPE_INT32) bad("metadata key '" + key + "' must be an array of i32");
    const size_t n = gguf_get_arr_n(g, id);
    if (n == 0 || (int64_t) n > n_layer) bad("metadata key '" + key + "' must list 1 to " + std::to_string(n_layer) + " layers");
    const auto * d = static_cast<const int32_t *>(gguf_get_arr_data(g, id));
    std::vector<int32_t> out(d, d + n);
    for (size_t i = 0; i < n; ++i) {
        if (out[i] < 0 || out[i] >= n_layer) bad("metadata key '" + key + "': layer " + std::to_string(out[i]) + " is outside [0, " + std::to_string(n_layer) + ")");
        if (i > 0 && out[i] <= out[i - 1]) bad("metadata key '" + key + "' must be strictly ascending");
    }
    return out;
}

SidecarConfig sidecar_read_config(const gguf_context * g) {
    if (get_str(g, "general.architecture") != "cogito-sidecar") bad("not a cogito sidecar (general.architecture is not 'cogito-sidecar')");
    const uint32_t version = get_u32(g, "version");
    if (version < 1 || version > SIDECAR_VERSION) bad("sidecar format version " + std::to_string(version) + " is not supported (this build reads versions 1 to " + std::to_string(SIDECAR_VERSION) + ")");
    const std::string kind = get_str(g, std::string(KEY_PREFIX) + "kind");
    if (kind != "doubter") bad("unknown sidecar kind '" + kind + "'");

    SidecarConfig c;
    c.version = (int32_t) version;
    const std::string enc = get_str(g, std::string(KEY_PREFIX) + "encoder.type");
    if (enc == "selective") c.encoder = EncoderType::selective;
    else if (enc == "multi_token") c.encoder = EncoderType::multi_token;
    else if (enc == "transformer") c.encoder = EncoderType::transformer;
    else bad("unknown encoder type '" + enc + "'");
    c.n_embd     = (int32_t) get_u32(g, "base.n_embd");
    c.n_layer    = (int32_t) get_u32(g, "base.n_layer");
    c.n_tokens   = (int32_t) get_u32(g, "encoder.n_tokens");
    c.enc_heads  = (int32_t) get_u32(g, "encoder.heads");
    c.enc_ff     = (int32_t) get_u32(g, "encoder.ff");
    c.bottleneck = (int32_t) get_u32(g, "bottleneck");
    c.heads      = (int32_t) get_u32(g, "heads");
    c.rms_eps    = get_f32(g, "rms_eps");
    c.agc_floor  = get_f32(g, "agc.floor");
    c.agc_tau    = get_f32(g, "agc.tau");
    get_f32(g, "gate_init");
    get_f32(g, "threshold");
    get_str(g, std::string(KEY_PREFIX) + "refusal");
    get_str(g, std::string(KEY_PREFIX) + "base.fingerprint");
    get_str(g, std::string(KEY_PREFIX) + "base.architecture");

    // sizes bounded so a corrupted file cannot ask for absurd allocations
    const int32_t max_dim = 1 << 16;
    if (c.n_embd <= 0 || c.n_embd > max_dim) bad("base.n_embd is out of range");
    if (c.n_layer <= 0 || c.n_layer > 4096) bad("base.n_layer is out of range");
    c.target_layers = get_layers(g, "target_layers", c.n_layer);
    c.inject_layers = get_layers(g, "inject_layers", c.n_layer);
    if (c.bottleneck <= 0 || c.bottleneck > max_dim) bad("bottleneck is out of range");
    if (c.heads <= 0 || c.bottleneck % c.heads != 0) bad("heads must divide bottleneck");
    if (c.n_tokens <= 0 || c.n_tokens > 4096) bad("encoder.n_tokens is out of range");
    if (c.encoder != EncoderType::multi_token && c.n_tokens != c.n_target()) bad("encoder.n_tokens must equal the number of target layers for this encoder type");
    if (c.encoder == EncoderType::transformer) {
        if (c.enc_heads <= 0 || c.n_embd % c.enc_heads != 0) bad("encoder.heads must divide base.n_embd");
        if (c.enc_ff <= 0 || c.enc_ff > 4 * max_dim) bad("encoder.ff is out of range");
    } else if (c.enc_heads != 1 || c.enc_ff != 0) {
        bad("encoder.heads must be 1 and encoder.ff 0 for this encoder type");
    }
    if (!std::isfinite(c.rms_eps) || c.rms_eps <= 0) bad("rms_eps must be > 0");
    if (!std::isfinite(c.agc_floor) || c.agc_floor < 0 || c.agc_floor > 1) bad("agc.floor must be in [0, 1]");
    if (!std::isfinite(c.agc_tau) || c.agc_tau <= 0) bad("agc.tau must be > 0");
    return c;
}

std::vector<TensorSpec> sidecar_tensor_specs(const SidecarConfig & c) {
    const int64_t E = c.n_embd, L = c.n_target(), N = c.n_tokens, B = c.bottleneck, J = c.n_inject();
    std::vector<TensorSpec> s = { {"probe.weight", {E, L}}, {"probe.bias", {L}} };
    if (c.n_out() > 0) s.push_back({"probe.out.weight", {c.n_out(), L}});
    switch (c.encoder) {
        case EncoderType::selective:
            for (int64_t i = 0; i < L; ++i) {
                s.push_back({"enc." + std::to_string(i) + ".weight", {E, E}});
                s.push_back({"enc." + std::to_string(i) + ".bias", {E}});
            }
            break;
        case EncoderType::multi_token:
            s.push_back({"enc.layer_embd", {E, L}});
            s.push_back({"enc.queries", {E, N}});
            for (const char * n : {"enc.k.weight", "enc.v.weight", "enc.o.weight"}) s.push_back({n, {E, E}});
            break;
        case EncoderType::transformer:
            s.push_back({"enc.layer_embd", {E, L}});
            for (const char * n : {"enc.attn.q.weight", "enc.attn.k.weight", "enc.attn.v.weight", "enc.attn.o.weight"}) s.push_back({n, {E, E}});
            s.push_back({"enc.ff.up.weight", {E, c.enc_ff}});
            s.push_back({"enc.ff.down.weight", {c.enc_ff, E}});
            break;
    }
    s.push_back({"enc.gate", {N}});
    if (c.version >= 2) s.push_back({"enc.refusal", {E, N}});
    for (int64_t j = 0; j < J; ++j) {
        const std::string p = "inj." + std::to_string(j) + ".";
        s.push_back({p + "q.weight", {E, B}});
        s.push_back({p + "k.weight", {E, B}});
        s.push_back({p + "v.weight", {E, B}});
        s.push_back({p + "o.weight", {B, E}});
    }
    s.push_back({"inj.gate", {J}});
    return s;
}

void sidecar_bind_weights(const SidecarConfig & c, ggml_context * ctx, SidecarWeights & w) {
    auto t = [&](const std::string & name) {
        ggml_tensor * x = ggml_get_tensor(ctx, name.c_str());
        if (!x) bad("missing tensor '" + name + "'");
        return x;
    };
    w.probe_w = t("probe.weight");
    w.probe_b = t("probe.bias");
    w.probe_out = c.n_out() > 0 ? t("probe.out.weight") : nullptr;
    w.enc_w.clear();
    w.enc_b.clear();
    if (c.encoder == EncoderType::selective) {
        for (int32_t i = 0; i < c.n_target(); ++i) {
            w.enc_w.push_back(t("enc." + std::to_string(i) + ".weight"));
            w.enc_b.push_back(t("enc." + std::to_string(i) + ".bias"));
        }
    } else if (c.encoder == EncoderType::multi_token) {
        w.layer_embd = t("enc.layer_embd");
        w.queries = t("enc.queries");
        w.att_k = t("enc.k.weight");
        w.att_v = t("enc.v.weight");
        w.att_o = t("enc.o.weight");
    } else {
        w.layer_embd = t("enc.layer_embd");
        w.att_q = t("enc.attn.q.weight");
        w.att_k = t("enc.attn.k.weight");
        w.att_v = t("enc.attn.v.weight");
        w.att_o = t("enc.attn.o.weight");
        w.ff_up = t("enc.ff.up.weight");
        w.ff_down = t("enc.ff.down.weight");
    }
    w.enc_gate = t("enc.gate");
    w.enc_refusal = c.version >= 2 ? t("enc.refusal") : nullptr;
    w.inj.assign(c.n_inject(), {});
    for (int32_t j = 0; j < c.n_inject(); ++j) {
        const std::string p = "inj." + std::to_string(j) + ".";
        w.inj[j] = { t(p + "q.weight"), t(p + "k.weight"), t(p + "v.weight"), t(p + "o.weight") };
    }
    w.inj_gate = t("inj.gate");
}

// ---- graphs ------------------------------------------------------------------------------------

// Multi-head attention without a mask: q [Dt, T] attends over k, v [Dt, M] → [Dt, T].
static ggml_tensor * attend(ggml_context * ctx, ggml_tensor * q, ggml_tensor * k, ggml_tensor * v, int32_t heads) {
    const int64_t Dt = q->ne[0], T = q->ne[1], M = k->ne[1], D = Dt / heads;
    ggml_tensor * q3 = ggml_permute(ctx, ggml_reshape_3d(ctx, q, D, heads, T), 0, 2, 1, 3); // [D, T, H]
    ggml_tensor * k3 = ggml_permute(ctx, ggml_reshape_3d(ctx, k, D, heads, M), 0, 2, 1, 3); // [D, M, H]
    ggml_tensor * kq = ggml_mul_mat(ctx, k3, q3);                                           // [M, T, H]
    kq = ggml_soft_max_ext(ctx, kq, nullptr, 1.0f / std::sqrt((float) D), 0.0f);
    ggml_tensor * vt = ggml_cont(ctx, ggml_permute(ctx, ggml_reshape_3d(ctx, v, D, heads, M), 1, 2, 0, 3)); // [M, D, H]
    ggml_tensor * o = ggml_mul_mat(ctx, vt, kq);                                            // [D, T, H]
    o = ggml_cont(ctx, ggml_permute(ctx, o, 0, 2, 1, 3));                                   // [D, H, T]
    return ggml_reshape_2d(ctx, o, Dt, T);
}

// tanh(x) = 1 − 2/(e^{2x} + 1), from ops that have a backward pass in ggml (tanh has none),
// and without NaN at large |x|: e^{2x} = inf gives 1, e^{2x} = 0 gives −1.
static ggml_tensor * tanh_trainable(ggml_context * ctx, ggml_tensor * x) {
    ggml_tensor * denom = ggml_scale_bias(ctx, ggml_exp(ctx, ggml_scale(ctx, x, 2.0f)), 1.0f, 1.0f);
    ggml_tensor * two = ggml_scale_bias(ctx, x, 0.0f, 2.0f);
    return ggml_scale_bias(ctx, ggml_div(ctx, two, denom), -1.0f, 1.0f);
}

static ggml_tensor * gate_value(ggml_context * ctx, const SidecarConfig & c, ggml_tensor * gate) {
    return tanh_trainable(ctx, c.gate_scale == 1.0f ? gate : ggml_scale(ctx, gate, c.gate_scale));
}

// Multiplies column i of x [E, n] by tanh(gate[i]) (gate [n]).
static ggml_tensor * gate_columns(ggml_context * ctx, const SidecarConfig & c, ggml_tensor * x, ggml_tensor * gate) {
    return ggml_mul(ctx, x, ggml_reshape_2d(ctx, gate_value(ctx, c, gate), 1, gate->ne[0]));
}

ggml_tensor * sidecar_build_probes(ggml_context * ctx, const SidecarConfig & c, const SidecarWeights & w, ggml_tensor * H, ggml_tensor * phi) {
    ggml_tensor * n = ggml_rms_norm(ctx, H, c.rms_eps);
    ggml_tensor * z = ggml_reshape_1d(ctx, ggml_sum_rows(ctx, ggml_mul(ctx, n, w.probe_w)), c.n_target()); // [L]
    if (c.n_out() > 0) {
        if (!phi) bad("a version-2 sidecar needs the output features");
        z = ggml_add(ctx, z, ggml_reshape_1d(ctx, ggml_mul_mat(ctx, w.probe_out, ggml_reshape_2d(ctx, phi, c.n_out(), 1)), c.n_target()));
    }
    return ggml_sigmoid(ctx, ggml_add(ctx, z, w.probe_b));
}

ggml_tensor * sidecar_build_encoder(ggml_context * ctx, const SidecarConfig & c, const SidecarWeights & w, ggml_tensor * H, ggml_tensor * phi) {
    const int64_t E = c.n_embd;
    ggml_tensor * n = ggml_rms_norm(ctx, H, c.rms_eps); // [E, L]
    ggml_tensor * C = nullptr;
    switch (c.encoder) {
        case EncoderType::selective: {
            // columns placed with acc, not concat: concat has no backward pass in ggml
            C = ggml_scale(ctx, n, 0.0f);
            for (int32_t i = 0; i < c.n_target(); ++i) {
                ggml_tensor * ni = ggml_view_2d(ctx, n, E, 1, n->nb[1], i * n->nb[1]);
                ggml_tensor * ci = ggml_add(ctx, ggml_mul_mat(ctx, w.enc_w[i], ni), w.enc_b[i]);
                C = ggml_acc(ctx, C, ci, C->nb[1], C->nb[2], C->nb[3], i * C->nb[1]);
            }
            break;
        }
        case EncoderType::multi_token: {
            ggml_tensor * x = ggml_add(ctx, n, w.layer_embd);
            ggml_tensor * k = ggml_mul_mat(ctx, w.att_k, x);                   // [E, L]
            ggml_tensor * v = ggml_mul_mat(ctx, w.att_v, x);                   // [E, L]
            ggml_tensor * q = c.gate_scale == 1.0f ? w.queries : ggml_scale(ctx, w.queries, c.gate_scale);
            C = ggml_mul_mat(ctx, w.att_o, attend(ctx, q, k, v, 1));  // [E, N]
            break;
        }
        case EncoderType::transformer: {
            ggml_tensor * x = ggml_add(ctx, n, w.layer_embd);
            ggml_tensor * u = ggml_rms_norm(ctx, x, c.rms_eps);
            ggml_tensor * a = attend(ctx, ggml_mul_mat(ctx, w.att_q, u), ggml_mul_mat(ctx, w.att_k, u), ggml_mul_mat(ctx, w.att_v, u), c.enc_heads);
            ggml_tensor * y = ggml_add(ctx, x, ggml_mul_mat(ctx, w.att_o, a));
            ggml_tensor * f = ggml_mul_mat(ctx, w.ff_down, ggml_silu(ctx, ggml_mul_mat(ctx, w.ff_up, ggml_rms_norm(ctx, y, c.rms_eps))));
            C = ggml_add(ctx, y, f);
            break;
        }
    }
    C = gate_columns(ctx, c, C, w.enc_gate);
    if (c.version >= 2) {
        // the refusal channel: enc.refusal scaled by the probes' doubt 1 − mean p_i
        ggml_tensor * p_mean = ggml_scale(ctx, ggml_sum(ctx, sidecar_build_probes(ctx, c, w, H, phi)), 1.0f / (float) c.n_target());
        C = ggml_add(ctx, C, ggml_mul(ctx, w.enc_refusal, ggml_scale_bias(ctx, p_mean, -1.0f, 1.0f)));
    }
    return C;
}

ggml_tensor * sidecar_build_injection(ggml_context * ctx, const SidecarConfig & c, const SidecarWeights & w, int32_t j,
                                      ggml_tensor * x, ggml_tensor * C) {
    const SidecarInjection & b = w.inj[j];
    ggml_tensor * u = ggml_rms_norm(ctx, x, c.rms_eps);
    ggml_tensor * o = attend(ctx, ggml_mul_mat(ctx, b.q, u), ggml_mul_mat(ctx, b.k, C), ggml_mul_mat(ctx, b.v, C), c.heads);
    ggml_tensor * gate = gate_value(ctx, c, ggml_view_1d(ctx, w.inj_gate, 1, j * w.inj_gate->nb[0]));
    return ggml_mul(ctx, ggml_mul_mat(ctx, b.o, o), gate);
}

// ---- loading -----------------------------------------------------------------------------------

void SidecarModel::load(const std::string & path) {
    const std::string invalid = validate_gguf(path);
    if (!invalid.empty()) bad(invalid);
    ggml_context * meta = nullptr;
    gguf_init_params params = { /*.no_alloc =*/ true, /*.ctx =*/ &meta };
    gguf_ptr g(gguf_init_from_file(path.c_str(), params));
    if (!g) bad("corrupt GGUF");
    ctx.reset(meta);
    cfg = sidecar_read_config(g.get());

    const std::vector<TensorSpec> specs = sidecar_tensor_specs(cfg);
    for (const TensorSpec & s : specs) {
        const ggml_tensor * t = ggml_get_tensor(ctx.get(), s.name.c_str());
        if (!t) bad("missing tensor '" + s.name + "'");
        if (t->type != GGML_TYPE_F32) bad("tensor '" + s.name + "' must be F32, not " + ggml_type_name(t->type));
        for (int d = 0; d < GGML_MAX_DIMS; ++d) {
            const int64_t want = d < (int) s.shape.size() ? s.shape[d] : 1;
            if (t->ne[d] != want) {
                std::string shape;
                for (int64_t v : s.shape) shape += (shape.empty() ? "" : ", ") + std::to_string(v);
                bad("tensor '" + s.name + "' has the wrong shape (expected [" + shape + "])");
            }
        }
    }
    if (gguf_get_n_tensors(g.get()) != (int64_t) specs.size()) {
        bad("the file has " + std::to_string(gguf_get_n_tensors(g.get())) + " tensors, the metadata describes " + std::to_string(specs.size()));
    }
    sidecar_bind_weights(cfg, ctx.get(), w);

    buf.reset(ggml_backend_alloc_ctx_tensors_from_buft(ctx.get(), ggml_backend_cpu_buffer_type()));
    if (!buf) bad("could not allocate the sidecar's tensors");
    file_ptr f(fopen(path.c_str(), "rb"));
    if (!f) bad("could not open the file");
    std::vector<char> data;
    const size_t base = gguf_get_data_offset(g.get());
    for (int64_t i = 0; i < gguf_get_n_tensors(g.get()); ++i) {
        ggml_tensor * t = ggml_get_tensor(ctx.get(), gguf_get_tensor_name(g.get(), i));
        const size_t n = ggml_nbytes(t);
        data.resize(n);
        if (fseeko(f.get(), (off_t) (base + gguf_get_tensor_offset(g.get(), i)), SEEK_SET) != 0 || fread(data.data(), 1, n, f.get()) != n) {
            bad(std::string("could not read tensor '") + ggml_get_name(t) + "'");
        }
        ggml_backend_tensor_set(t, data.data(), 0, n);
    }
}

std::vector<float> SidecarModel::read(const ggml_tensor * t) {
    std::vector<float> out(ggml_nelements(t));
    ggml_backend_tensor_get(t, out.data(), 0, ggml_nbytes(t));
    return out;
}

void SidecarModel::encode(const std::vector<float> & state, std::vector<float> & tokens, std::vector<float> & conf) const {
    const int64_t E = cfg.n_embd, L = cfg.n_target(), F = cfg.n_out();
    if ((int64_t) state.size() != cfg.state_size()) bad("encode: a pass-1 state of " + std::to_string(cfg.state_size()) + " floats is expected");
    ggml_init_params ip = { /*.mem_size =*/ ggml_tensor_overhead() * 256 + ggml_graph_overhead(), /*.mem_buffer =*/ nullptr, /*.no_alloc =*/ true };
    ggml_ptr g(ggml_init(ip));
    ggml_tensor * h = ggml_new_tensor_2d(g.get(), GGML_TYPE_F32, E, L);
    ggml_set_input(h);
    ggml_tensor * phi = nullptr;
    if (F > 0) {
        phi = ggml_new_tensor_1d(g.get(), GGML_TYPE_F32, F);
        ggml_set_input(phi);
    }
    ggml_tensor * C = sidecar_build_encoder(g.get(), cfg, w, h, phi);
    ggml_tensor * P = sidecar_build_probes(g.get(), cfg, w, h, phi);
    ggml_set_output(C);
    ggml_set_output(P);
    ggml_cgraph * gf = ggml_new_graph(g.get());
    ggml_build_forward_expand(gf, C);
    ggml_build_forward_expand(gf, P);

    struct gallocr_deleter { void operator()(ggml_gallocr_t a) const { ggml_gallocr_free(a); } };
    struct backend_deleter { void operator()(ggml_backend_t b) const { ggml_backend_free(b); } };
    std::unique_ptr<ggml_gallocr, gallocr_deleter> alloc(ggml_gallocr_new(ggml_backend_cpu_buffer_type()));
    if (!ggml_gallocr_alloc_graph(alloc.get(), gf)) bad("could not allocate the encoder graph");
    std::unique_ptr<ggml_backend, backend_deleter> cpu(ggml_backend_cpu_init());
    ggml_backend_cpu_set_n_threads(cpu.get(), 1); // a few small matrices: threads cost more than they save
    ggml_backend_tensor_set(h, state.data(), 0, ggml_nbytes(h));
    if (phi) ggml_backend_tensor_set(phi, state.data() + E * L, 0, ggml_nbytes(phi));
    if (ggml_backend_graph_compute(cpu.get(), gf) != GGML_STATUS_SUCCESS) bad("the encoder graph failed");
    tokens = read(C);
    conf = read(P);
}

// ---- N-API -------------------------------------------------------------------------------------

Napi::FunctionReference Sidecar::constructor;

Napi::Object Sidecar::Init(Napi::Env env, Napi::Object exports) {
    Napi::Function fn = DefineClass(env, "Sidecar", {
        InstanceMethod("info", &Sidecar::Info),
        InstanceMethod("encode", &Sidecar::Encode),
        InstanceMethod("tensors", &Sidecar::Tensors),
        InstanceMethod("dispose", &Sidecar::Dispose),
    });
    constructor = Napi::Persistent(fn);
    constructor.SuppressDestruct();
    exports.Set("Sidecar", fn);
    exports.Set("loadSidecar", Napi::Function::New(env, LoadSidecar));
    exports.Set("trainProbes", Napi::Function::New(env, TrainProbes));
    return exports;
}

Sidecar::Sidecar(const Napi::CallbackInfo & info) : Napi::ObjectWrap<Sidecar>(info) {}

const SidecarModel * Sidecar::get(Napi::Env env) const {
    if (!m) throw_error(env, "DISPOSED", "the sidecar has been disposed");
    return m.get();
}

static Napi::Float32Array to_f32(Napi::Env env, const std::vector<float> & v) {
    Napi::Float32Array a = Napi::Float32Array::New(env, v.size());
    std::copy(v.begin(), v.end(), a.Data());
    return a;
}

// info() -> {version, outputFeatures, encoder, nEmbd, nLayer, nTokens, targetLayers, injectLayers, bottleneck, heads, agc: {floor, tau},
//            encoderGates, injectionGates}
Napi::Value Sidecar::Info(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const SidecarModel * s = get(env);
    Napi::Object o = Napi::Object::New(env);
    static const char * enc_names[] = {"selective", "multi_token", "transformer"};
    o.Set("version", s->cfg.version);
    o.Set("outputFeatures", s->cfg.n_out());
    o.Set("encoder", enc_names[(int) s->cfg.encoder]);
    o.Set("nEmbd", s->cfg.n_embd);
    o.Set("nLayer", s->cfg.n_layer);
    o.Set("nTokens", s->cfg.n_tokens);
    auto layers = [&](const std::vector<int32_t> & v) {
        Napi::Array a = Napi::Array::New(env, v.size());
        for (size_t i = 0; i < v.size(); ++i) a.Set((uint32_t) i, v[i]);
        return a;
    };
    o.Set("targetLayers", layers(s->cfg.target_layers));
    o.Set("injectLayers", layers(s->cfg.inject_layers));
    o.Set("bottleneck", s->cfg.bottleneck);
    o.Set("heads", s->cfg.heads);
    Napi::Object agc = Napi::Object::New(env);
    agc.Set("floor", s->cfg.agc_floor);
    agc.Set("tau", s->cfg.agc_tau);
    o.Set("agc", agc);
    o.Set("encoderGates", to_f32(env, SidecarModel::read(s->w.enc_gate)));
    o.Set("injectionGates", to_f32(env, SidecarModel::read(s->w.inj_gate)));
    return o;
}

// tensors() -> [{name, shape, data: Float32Array}]: the current weights, in FORMAT.md order
Napi::Value Sidecar::Tensors(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const SidecarModel * s = get(env);
    const std::vector<TensorSpec> specs = sidecar_tensor_specs(s->cfg);
    Napi::Array out = Napi::Array::New(env, specs.size());
    for (size_t i = 0; i < specs.size(); ++i) {
        Napi::Object t = Napi::Object::New(env);
        t.Set("name", specs[i].name);
        Napi::Array shape = Napi::Array::New(env, specs[i].shape.size());
        for (size_t d = 0; d < specs[i].shape.size(); ++d) shape.Set((uint32_t) d, (double) specs[i].shape[d]);
        t.Set("shape", shape);
        t.Set("data", to_f32(env, SidecarModel::read(ggml_get_tensor(s->ctx.get(), specs[i].name.c_str()))));
        out.Set((uint32_t) i, t);
    }
    return out;
}

class EncodeWorker : public Napi::AsyncWorker {
  public:
    EncodeWorker(Napi::Env env, Sidecar * s, std::vector<float> H)
        : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), s(s), H(std::move(H)) {
        ref = Napi::Persistent(s->Value());
        s->users++; // not disposed while encoding
    }
    Napi::Promise promise() { return deferred.Promise(); }
    void Execute() override {
        try {
            s->m->encode(H, tokens, conf);
        } catch (const std::exception & e) {
            SetError(e.what());
        }
    }
    void OnOK() override {
        s->users--;
        Napi::Object o = Napi::Object::New(Env());
        o.Set("tokens", to_f32(Env(), tokens));
        o.Set("confidences", to_f32(Env(), conf));
        deferred.Resolve(o);
    }
    void OnError(const Napi::Error & e) override {
        s->users--;
        deferred.Reject(make_error(Env(), "SIDECAR", e.Message()).Value());
    }

  private:
    Napi::Promise::Deferred deferred;
    Napi::ObjectReference ref;
    Sidecar * s;
    std::vector<float> H, tokens, conf;
};

// encode(state: Float32Array of L·E hidden states, then F output features (version 2))
//   -> Promise<{tokens: Float32Array N·E, confidences: Float32Array L}>
Napi::Value Sidecar::Encode(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const SidecarModel * s = get(env);
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
        throw_error(env, "INVALID_ARGUMENT", "encode: the pass-1 state must be a Float32Array");
    }
    Napi::Float32Array h = info[0].As<Napi::Float32Array>();
    const size_t want = (size_t) s->cfg.state_size();
    if (h.ElementLength() != want) {
        throw_error(env, "INVALID_ARGUMENT", "encode: expected " + std::to_string(want) + " floats (" + std::to_string(s->cfg.n_target()) + " layers × " + std::to_string(s->cfg.n_embd) +
            (s->cfg.n_out() > 0 ? " + " + std::to_string(s->cfg.n_out()) + " output features" : std::string()) + "), got " + std::to_string(h.ElementLength()));
    }
    auto * w = new EncodeWorker(env, this, std::vector<float>(h.Data(), h.Data() + h.ElementLength()));
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
}

Napi::Value Sidecar::Dispose(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (users > 0) throw_error(env, "BUSY", "the sidecar is in use by a context or an encoding; clear the injection first");
    m.reset();
    return env.Undefined();
}

class LoadSidecarWorker : public Napi::AsyncWorker {
  public:
    LoadSidecarWorker(Napi::Env env, std::string path)
        : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), path(std::move(path)) {}
    Napi::Promise promise() { return deferred.Promise(); }
    void Execute() override {
        try {
            m = std::make_unique<SidecarModel>();
            m->load(path);
        } catch (const std::exception & e) {
            SetError(path + ": " + e.what());
        }
    }
    void OnOK() override {
        Napi::Object obj = Sidecar::constructor.New({});
        Sidecar::Unwrap(obj)->m = std::move(m);
        deferred.Resolve(obj);
    }
    void OnError(const Napi::Error & e) override { deferred.Reject(make_error(Env(), "INVALID_SIDECAR", e.Message()).Value()); }

  private:
    Napi::Promise::Deferred deferred;
    std::string path;
    std::unique_ptr<SidecarModel> m;
};

Napi::Value LoadSidecar(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString()) throw_error(env, "INVALID_ARGUMENT", "loadSidecar: path must be a string");
    auto * w = new LoadSidecarWorker(env, info[0].As<Napi::String>());
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
}

// ---- injection ---------------------------------------------------------------------------------

void Injector::set(const SidecarModel * s, const std::vector<float> & toks, int32_t start_pos, bool use_agc, float agc_floor, float agc_tau, int32_t n_batch) {
    clear();
    ggml_init_params ip = { /*.mem_size =*/ ggml_tensor_overhead() * 2, /*.mem_buffer =*/ nullptr, /*.no_alloc =*/ true };
    ctx.reset(ggml_init(ip));
    tokens = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, s->cfg.n_embd, s->cfg.n_tokens);
    scale = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, 1, std::max(1, n_batch));
    buf.reset(ggml_backend_alloc_ctx_tensors_from_buft(ctx.get(), ggml_backend_cpu_buffer_type()));
    if (!buf) throw std::runtime_error("could not allocate the injection buffers");
    sc = s;
    set_tokens(toks);
    start = start_pos;
    agc = use_agc;
    floor = agc_floor;
    tau = agc_tau;
}

void Injector::set_tokens(const std::vector<float> & toks) {
    ggml_backend_tensor_set(tokens, toks.data(), 0, ggml_nbytes(tokens));
}

void Injector::set_training(const SidecarModel * s, int32_t n_batch) {
    clear();
    ggml_init_params ip = { /*.mem_size =*/ ggml_tensor_overhead() * 3, /*.mem_buffer =*/ nullptr, /*.no_alloc =*/ true };
    ctx.reset(ggml_init(ip));
    hidden = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, s->cfg.n_embd, s->cfg.n_target());
    if (s->cfg.n_out() > 0) phi = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_F32, s->cfg.n_out());
    scale = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, 1, std::max(1, n_batch));
    buf.reset(ggml_backend_alloc_ctx_tensors_from_buft(ctx.get(), ggml_backend_cpu_buffer_type()));
    if (!buf) throw std::runtime_error("could not allocate the training injection buffers");
    sc = s;
    agc = false;
}

void Injector::set_hidden(const float * state, int32_t start_pos) {
    ggml_backend_tensor_set(hidden, state, 0, ggml_nbytes(hidden));
    if (phi) ggml_backend_tensor_set(phi, state + ggml_nelements(hidden), 0, ggml_nbytes(phi));
    start = start_pos;
}

void Injector::clear() {
    sc = nullptr;
    tokens = nullptr;
    hidden = nullptr;
    phi = nullptr;
    graph_tokens = nullptr;
    scale = nullptr;
    buf.reset();
    ctx.reset();
}

ggml_tensor * Injector::build(ggml_context * g, ggml_tensor * cur, int32_t il, int32_t n_tokens, const llama_pos * pos) {
    const int32_t j = sc->cfg.inject_index(il);
    if (j < 0 || !pos) return cur;
    if (j == 0) graph_tokens = nullptr; // the first injection layer: a new graph is being built
    // the last layer may keep only the output rows: they are the batch's last ones
    const int64_t rows = cur->ne[1];
    const int64_t first = n_tokens - rows;
    if (first < 0 || rows > scale->ne[1]) return cur;
    std::vector<float> f(rows);
    bool any = false, uniform = true;
    for (int64_t r = 0; r < rows; ++r) {
        const llama_pos p = pos[first + r];
        f[r] = p < start ? 0.0f : (agc ? agc_alpha(p - start, floor, tau) : 1.0f);
        any = any || f[r] != 0.0f;
        uniform = uniform && f[r] == f[0];
    }
    if (!any) return cur; // nothing to inject in this batch: leave the graph as the base's
    ggml_tensor * C = tokens;
    if (hidden) {
        if (!graph_tokens) graph_tokens = sidecar_build_encoder(g, sc->cfg, sc->w, hidden, phi);
        C = graph_tokens;
    }
    ggml_tensor * delta = sidecar_build_injection(g, sc->cfg, sc->w, j, cur, C);
    if (uniform) {
        if (f[0] != 1.0f) delta = ggml_scale(g, delta, f[0]);
    } else {
        // rows of one batch at different steps (a re-evaluated prompt): a per-row factor, written
        // now because the graph is computed right after it is built
        ggml_backend_tensor_set(scale, f.data(), 0, rows * sizeof(float));
        delta = ggml_mul(g, delta, ggml_view_2d(g, scale, 1, rows, scale->nb[1], 0));
    }
    return ggml_add(g, cur, delta);
}

} // namespace cogito
