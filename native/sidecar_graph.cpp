// The sidecar's graphs with plain ggml ops (every op has a backward pass, so the same builders
// serve inference and training): probes, encoder, gated bottleneck cross-attention, AGC.
#include "sidecar.h"

#include <cmath>
#include <stdexcept>

namespace cogito {

float agc_alpha(int32_t step, float floor, float tau) {
    return floor + (1.0f - floor) * std::exp(-(float) step / tau);
}

// V [Dt, M] laid out for attention: [M, D, H], contiguous.
static ggml_tensor * values_by_head(ggml_context * ctx, ggml_tensor * v, int32_t heads) {
    const int64_t Dt = v->ne[0], M = v->ne[1], D = Dt / heads;
    return ggml_cont(ctx, ggml_permute(ctx, ggml_reshape_3d(ctx, v, D, heads, M), 1, 2, 0, 3));
}

// Multi-head attention without a mask: q [Dt, T] attends over k [Dt, M] and vt (values_by_head of
// v [Dt, M]) → [Dt, T].
static ggml_tensor * attend_prepared(ggml_context * ctx, ggml_tensor * q, ggml_tensor * k, ggml_tensor * vt, int32_t heads) {
    const int64_t Dt = q->ne[0], T = q->ne[1], M = k->ne[1], D = Dt / heads;
    ggml_tensor * q3 = ggml_permute(ctx, ggml_reshape_3d(ctx, q, D, heads, T), 0, 2, 1, 3); // [D, T, H]
    ggml_tensor * k3 = ggml_permute(ctx, ggml_reshape_3d(ctx, k, D, heads, M), 0, 2, 1, 3); // [D, M, H]
    ggml_tensor * kq = ggml_mul_mat(ctx, k3, q3);                                           // [M, T, H]
    kq = ggml_soft_max_ext(ctx, kq, nullptr, 1.0f / std::sqrt((float) D), 0.0f);
    ggml_tensor * o = ggml_mul_mat(ctx, vt, kq);                                            // [D, T, H]
    o = ggml_cont(ctx, ggml_permute(ctx, o, 0, 2, 1, 3));                                   // [D, H, T]
    return ggml_reshape_2d(ctx, o, Dt, T);
}

static ggml_tensor * attend(ggml_context * ctx, ggml_tensor * q, ggml_tensor * k, ggml_tensor * v, int32_t heads) {
    return attend_prepared(ctx, q, k, values_by_head(ctx, v, heads), heads);
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
        if (!phi) throw std::runtime_error("a version-2 sidecar needs the output features");
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

SidecarCrossKV sidecar_build_cross_kv(ggml_context * ctx, const SidecarConfig & c, const SidecarWeights & w, int32_t j, ggml_tensor * C) {
    const SidecarInjection & b = w.inj[j];
    return { ggml_mul_mat(ctx, b.k, C), values_by_head(ctx, ggml_mul_mat(ctx, b.v, C), c.heads) };
}

ggml_tensor * sidecar_build_injection(ggml_context * ctx, const SidecarConfig & c, const SidecarWeights & w, int32_t j,
                                      ggml_tensor * x, const SidecarCrossKV & kv) {
    const SidecarInjection & b = w.inj[j];
    ggml_tensor * u = ggml_rms_norm(ctx, x, c.rms_eps);
    ggml_tensor * o = attend_prepared(ctx, ggml_mul_mat(ctx, b.q, u), kv.k, kv.vt, c.heads);
    ggml_tensor * gate = gate_value(ctx, c, ggml_view_1d(ctx, w.inj_gate, 1, j * w.inj_gate->nb[0]));
    return ggml_mul(ctx, ggml_mul_mat(ctx, b.o, o), gate);
}

} // namespace cogito
