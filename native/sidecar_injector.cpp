// The sidecar's cross-attention added to a context's layer outputs through the layer hook
// (llama_patch: build_cvec), from the last prompt position on, with AGC when asked.
#include "sidecar.h"


#include <algorithm>
#include <stdexcept>

namespace cogito {

void Injector::set(const SidecarModel * s, const std::vector<float> & toks, int32_t start_pos, bool use_agc, float agc_floor, float agc_tau, int32_t n_batch) {
    clear();
    const int32_t J = s->cfg.n_inject();
    const int64_t B = s->cfg.bottleneck, H = s->cfg.heads, N = s->cfg.n_tokens;
    ggml_init_params ip = { /*.mem_size =*/ ggml_tensor_overhead() * (2 + 2 * (size_t) J), /*.mem_buffer =*/ nullptr, /*.no_alloc =*/ true };
    ctx.reset(ggml_init(ip));
    tokens = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, s->cfg.n_embd, N);
    scale = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, 1, std::max(1, n_batch));
    kv.assign(J, {});
    for (int32_t j = 0; j < J; ++j) {
        kv[j].k = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, B, N);
        kv[j].vt = ggml_new_tensor_3d(ctx.get(), GGML_TYPE_F32, N, B / H, H);
    }
    buf.reset(ggml_backend_alloc_ctx_tensors_from_buft(ctx.get(), ggml_backend_cpu_buffer_type()));
    if (!buf) throw std::runtime_error("could not allocate the injection buffers");
    sc = s;
    live.assign(J, true);
    if (s->w.inj_gate && s->w.inj_gate->type == GGML_TYPE_F32 && ggml_nelements(s->w.inj_gate) == J) {
        std::vector<float> gates(J);
        ggml_backend_tensor_get(s->w.inj_gate, gates.data(), 0, gates.size() * sizeof(float));
        for (int32_t j = 0; j < J; ++j) live[j] = gates[j] != 0.0f;
    }
    set_tokens(toks);
    start = start_pos;
    agc = use_agc;
    floor = agc_floor;
    tau = agc_tau;
}

void Injector::set_tokens(const std::vector<float> & toks) {
    ggml_backend_tensor_set(tokens, toks.data(), 0, ggml_nbytes(tokens));
    kv_stale = true; // computed by the next decode, on its worker thread (prepare)
}

// K and V of the cognitive tokens for every injection layer, written into kv's tensors, which
// the hooked graphs read: once per set of tokens instead of once per layer and generated token.
void Injector::compute_kv() {
    const int32_t J = (int32_t) kv.size();
    const size_t n_nodes = 16 * (size_t) J + 16;
    ggml_init_params ip = { /*.mem_size =*/ ggml_tensor_overhead() * n_nodes + ggml_graph_overhead_custom(n_nodes, false), /*.mem_buffer =*/ nullptr, /*.no_alloc =*/ true };
    ggml_ptr g(ggml_init(ip));
    ggml_cgraph * gf = ggml_new_graph_custom(g.get(), n_nodes, false);
    for (int32_t j = 0; j < J; ++j) {
        const SidecarCrossKV r = sidecar_build_cross_kv(g.get(), sc->cfg, sc->w, j, tokens);
        ggml_build_forward_expand(gf, ggml_cpy(g.get(), r.k, kv[j].k));
        ggml_build_forward_expand(gf, ggml_cpy(g.get(), r.vt, kv[j].vt));
    }
    sidecar_compute_cpu(gf, "the cognitive tokens' keys and values");
    kv_stale = false;
    n_kv_computed++;
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
    kv.clear();
    live.clear();
    kv_stale = false;
    hidden = nullptr;
    phi = nullptr;
    graph_tokens = nullptr;
    scale = nullptr;
    buf.reset();
    ctx.reset();
}

// The factor of each row of the ubatch: 0 before the start position, else 1 or AGC's α(step).
// Rows are scaled through the `scale` tensor whenever AGC is on or factors differ, so the graph
// stays the same from token to token while α changes.
Injector::Plan Injector::plan(int32_t n_tokens, const llama_pos * pos) {
    Plan p;
    if (!pos || n_tokens <= 0 || n_tokens > scale->ne[1]) return p;
    factors.resize(n_tokens);
    bool ones = true;
    for (int32_t r = 0; r < n_tokens; ++r) {
        factors[r] = pos[r] < start ? 0.0f : (agc ? agc_alpha(pos[r] - start, floor, tau) : 1.0f);
        p.any = p.any || factors[r] != 0.0f;
        ones = ones && factors[r] == 1.0f;
    }
    p.scaled = p.any && (agc || !ones);
    return p;
}

uint64_t Injector::graph_key(int32_t n_tokens, const llama_pos * pos) {
    const Plan p = plan(n_tokens, pos);
    return (p.any ? 1u : 0u) | (p.scaled ? 2u : 0u);
}

void Injector::prepare(int32_t n_tokens, const llama_pos * pos) {
    if (kv_stale) compute_kv();
    if (plan(n_tokens, pos).scaled) ggml_backend_tensor_set(scale, factors.data(), 0, n_tokens * sizeof(float));
}

ggml_tensor * Injector::build(ggml_context * g, ggml_tensor * cur, int32_t il, int32_t n_tokens, const llama_pos * pos) {
    const int32_t j = sc->cfg.inject_index(il);
    if (j < 0) return cur;
    if (j == 0) graph_tokens = nullptr; // the first injection layer: a new graph is being built
    // a zero gate adds exactly zero: the base's graph, bit for bit on every backend (adding the
    // zero delta let Vulkan fuse the layer's sums in another order: 4.5e-6 off). Training keeps
    // the node, the gate's gradient is not zero there.
    if (!hidden && !live[j]) return cur;
    // the last layer may keep only the output rows: they are the batch's last ones
    const int64_t rows = cur->ne[1];
    const int64_t first = n_tokens - rows;
    if (first < 0) return cur;
    const Plan p = plan(n_tokens, pos);
    if (!p.any) return cur; // nothing to inject in this batch: leave the graph as the base's
    SidecarCrossKV kv_j;
    if (hidden) {
        if (!graph_tokens) graph_tokens = sidecar_build_encoder(g, sc->cfg, sc->w, hidden, phi);
        kv_j = sidecar_build_cross_kv(g, sc->cfg, sc->w, j, graph_tokens);
        n_kv_in_graph++;
    } else {
        kv_j = kv[j];
    }
    ggml_tensor * delta = sidecar_build_injection(g, sc->cfg, sc->w, j, cur, kv_j);
    if (p.scaled) {
        // also written by prepare() before every compute of a reused graph; a training graph is
        // computed right after it is built, without prepare()
        ggml_backend_tensor_set(scale, factors.data(), 0, n_tokens * sizeof(float));
        delta = ggml_mul(g, delta, ggml_view_2d(g, scale, 1, rows, scale->nb[1], first * scale->nb[1]));
    }
    return ggml_add(g, cur, delta);
}

} // namespace cogito
