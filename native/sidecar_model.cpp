// A sidecar in memory: its tensors loaded (and checked) into a CPU backend buffer, and the
// encoder run on one pass-1 state.
#include "sidecar.h"
#include "backends.h"
#include "gguf_io.h"

#include "ggml-alloc.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace cogito {

[[noreturn]] static void bad(const std::string & msg) { throw std::runtime_error(msg); }

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

void SidecarModel::load(const std::string & path) {
    const std::string invalid = validate_gguf(path);
    if (!invalid.empty()) bad(invalid);
    ggml_context * meta = nullptr;
    gguf_init_params params = { /*.no_alloc =*/ true, /*.ctx =*/ &meta };
    gguf_ptr g(gguf_init_from_file(path.c_str(), params));
    if (!g) bad("corrupt or truncated GGUF");
    ctx.reset(meta);
    cfg = sidecar_read_config(g.get());
    // the whole table is checked before any data is read, so a lying header allocates nothing
    std::vector<StoredTensor> stored;
    for (int64_t i = 0; i < gguf_get_n_tensors(g.get()); ++i) {
        const ggml_tensor * t = ggml_get_tensor(ctx.get(), gguf_get_tensor_name(g.get(), i));
        StoredTensor s = { ggml_get_name(t), t->type, {} };
        std::copy(t->ne, t->ne + GGML_MAX_DIMS, s.ne);
        stored.push_back(s);
    }
    sidecar_check_tensors(cfg, stored);
    sidecar_bind_weights(cfg, ctx.get(), w);

    buf.reset(ggml_backend_alloc_ctx_tensors_from_buft(ctx.get(), ggml_backend_cpu_buffer_type()));
    if (!buf) bad("could not allocate the sidecar's tensors");
    file_ptr f(fopen(path.c_str(), "rb"));
    if (!f) bad("could not open the file");
    std::vector<float> data;
    const size_t base = gguf_get_data_offset(g.get());
    // in FORMAT.md order, so the first bad tensor named is the first a reader meets
    for (const TensorSpec & s : sidecar_tensor_specs(cfg)) {
        const int64_t i = gguf_find_tensor(g.get(), s.name.c_str());
        ggml_tensor * t = ggml_get_tensor(ctx.get(), s.name.c_str());
        const size_t n = ggml_nbytes(t);
        data.resize(ggml_nelements(t));
        if (fseeko(f.get(), (off_t) (base + gguf_get_tensor_offset(g.get(), i)), SEEK_SET) != 0 || fread(data.data(), 1, n, f.get()) != n) {
            bad("could not read tensor '" + s.name + "'");
        }
        sidecar_check_finite(s.name, data.data(), (int64_t) data.size());
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

    sidecar_compute_cpu(gf, "the encoder graph", [&]() {
        ggml_backend_tensor_set(h, state.data(), 0, ggml_nbytes(h));
        if (phi) ggml_backend_tensor_set(phi, state.data() + E * L, 0, ggml_nbytes(phi));
    }, [&]() {
        tokens = read(C);
        conf = read(P);
    });
}

void sidecar_compute_cpu(ggml_cgraph * gf, const char * what, const std::function<void()> & set_inputs, const std::function<void()> & get_outputs) {
    struct gallocr_deleter { void operator()(ggml_gallocr_t a) const { ggml_gallocr_free(a); } };
    struct backend_deleter { void operator()(ggml_backend_t b) const { ggml_backend_free(b); } };
    std::unique_ptr<ggml_gallocr, gallocr_deleter> alloc(ggml_gallocr_new(ggml_backend_cpu_buffer_type()));
    if (!ggml_gallocr_alloc_graph(alloc.get(), gf)) bad(std::string("could not allocate ") + what);
    // a few small matrices: threads cost more than they save
    std::unique_ptr<ggml_backend, backend_deleter> cpu(cpu_backend_new(1));
    if (!cpu) bad("could not start the CPU backend");
    if (set_inputs) set_inputs();
    if (ggml_backend_graph_compute(cpu.get(), gf) != GGML_STATUS_SUCCESS) bad(std::string(what) + " failed");
    if (get_outputs) get_outputs(); // before the allocator (and the outputs' memory) goes
}

} // namespace cogito
