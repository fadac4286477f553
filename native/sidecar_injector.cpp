// The sidecar's cross-attention added to a context's layer outputs through the layer hook
// (llama_patch: build_cvec), from the last prompt position on, with AGC when asked.
#include "sidecar.h"


#include <algorithm>
#include <stdexcept>

namespace cogito {

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
