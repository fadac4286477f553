// Sidecar runtime: loads a sidecar GGUF (sidecars/FORMAT.md) into ggml tensors and builds its
// graphs — probes, encoder, gated bottleneck cross-attention — with plain ggml ops, so the same
// builders serve inference (weights in a backend buffer) and training (weights as parameters).
//   sidecar_format.cpp   the config and the checks (by the format table)
//   sidecar_graph.cpp    graph builders
//   sidecar_model.cpp    loading into a backend buffer, encoding a pass-1 state
//   sidecar_injector.cpp the cross-attention added through the layer hook
//   sidecar_napi.cpp     the JS class and loadSidecar / checkSidecar
#pragma once

#include <napi.h>

#include "common.h"
#include "llama.h"
#include "sidecar_format.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cogito {

struct SidecarInjection {
    ggml_tensor * q = nullptr;
    ggml_tensor * k = nullptr;
    ggml_tensor * v = nullptr;
    ggml_tensor * o = nullptr;
};

// Pointers into a ggml context holding the sidecar's tensors (FORMAT.md names in comments).
struct SidecarWeights {
    ggml_tensor * probe_w = nullptr;    // probe.weight [E, L]
    ggml_tensor * probe_b = nullptr;    // probe.bias   [L]
    ggml_tensor * probe_out = nullptr;  // probe.out.weight [F, L] (version 2)
    std::vector<ggml_tensor *> enc_w;   // enc.{i}.weight (selective)
    std::vector<ggml_tensor *> enc_b;   // enc.{i}.bias   (selective)
    ggml_tensor * layer_embd = nullptr; // enc.layer_embd
    ggml_tensor * queries = nullptr;    // enc.queries (multi_token)
    ggml_tensor * att_q = nullptr;      // enc.attn.q.weight (transformer)
    ggml_tensor * att_k = nullptr;      // enc.k.weight | enc.attn.k.weight
    ggml_tensor * att_v = nullptr;      // enc.v.weight | enc.attn.v.weight
    ggml_tensor * att_o = nullptr;      // enc.o.weight | enc.attn.o.weight
    ggml_tensor * ff_up = nullptr;      // enc.ff.up.weight
    ggml_tensor * ff_down = nullptr;    // enc.ff.down.weight
    ggml_tensor * enc_gate = nullptr;   // enc.gate [N]
    ggml_tensor * enc_refusal = nullptr; // enc.refusal [E, N] (version 2)
    std::vector<SidecarInjection> inj;  // inj.{j}.*
    ggml_tensor * inj_gate = nullptr;   // inj.gate [J]
};

// Points w at the tensors named by the specs in ctx (which must hold them all).
void sidecar_bind_weights(const SidecarConfig & cfg, ggml_context * ctx, SidecarWeights & w);

// Graph builders. H: raw hidden states [E, L]; phi: output features [F] (version 2, else null);
// C: cognitive tokens [E, N]; x: layer output [E, T].
ggml_tensor * sidecar_build_probes(ggml_context * ctx, const SidecarConfig & cfg, const SidecarWeights & w, ggml_tensor * H, ggml_tensor * phi);
ggml_tensor * sidecar_build_encoder(ggml_context * ctx, const SidecarConfig & cfg, const SidecarWeights & w, ggml_tensor * H, ggml_tensor * phi);
// The cognitive tokens' keys and values for injection layer j: k = inj.j.k · C [B, N] and
// vt = inj.j.v · C laid out by head [N, B/H, H]. They depend on C alone, so generation computes
// them once per injection (Injector), and training builds them into its graph.
struct SidecarCrossKV {
    ggml_tensor * k  = nullptr;
    ggml_tensor * vt = nullptr;
};
SidecarCrossKV sidecar_build_cross_kv(ggml_context * ctx, const SidecarConfig & cfg, const SidecarWeights & w, int32_t j, ggml_tensor * C);
// tanh(inj.gate[j]) · W_o · attention(x → the cognitive tokens' kv), without the AGC factor
ggml_tensor * sidecar_build_injection(ggml_context * ctx, const SidecarConfig & cfg, const SidecarWeights & w, int32_t j,
                                      ggml_tensor * x, const SidecarCrossKV & kv);

// AGC: α(step) = floor + (1 − floor)·exp(−step/τ)
float agc_alpha(int32_t step, float floor, float tau);

// Allocates a small graph's intermediate tensors, runs set_inputs (input tensors have memory
// then), computes it on the CPU with one thread and runs get_outputs, while the graph's tensors
// still have their memory (it is freed on return); throws std::runtime_error naming `what`.
void sidecar_compute_cpu(ggml_cgraph * gf, const char * what, const std::function<void()> & set_inputs = {},
                         const std::function<void()> & get_outputs = {});

// A loaded sidecar: its config and tensors in a CPU backend buffer.
struct SidecarModel {
    SidecarConfig  cfg;
    SidecarWeights w;
    ggml_ptr       ctx;
    buffer_ptr     buf;

    // loads and validates a sidecar GGUF (worker thread): the metadata, the tensor table and
    // every value (finite only); throws std::runtime_error naming the key or tensor
    void load(const std::string & path);
    // runs probes and encoder on a pass-1 state (cfg.state_size() floats: L·E hidden, then F
    // output features) → tokens (N·E) and confidences (L)
    void encode(const std::vector<float> & state, std::vector<float> & tokens, std::vector<float> & conf) const;
    static std::vector<float> read(const ggml_tensor * t);
};

class Sidecar : public Napi::ObjectWrap<Sidecar> {
  public:
    static Napi::Object Init(Napi::Env env, Napi::Object exports);
    static Napi::FunctionReference constructor;

    explicit Sidecar(const Napi::CallbackInfo & info);

    std::unique_ptr<SidecarModel> m;
    int32_t users = 0; // contexts injecting it; it cannot be disposed while > 0

    const SidecarModel * get(Napi::Env env) const;

  private:
    Napi::Value Config(const Napi::CallbackInfo & info);
    Napi::Value Info(const Napi::CallbackInfo & info);
    Napi::Value Encode(const Napi::CallbackInfo & info);
    Napi::Value Tensors(const Napi::CallbackInfo & info);
    Napi::Value Dispose(const Napi::CallbackInfo & info);
};

// the Sidecar from a JS value, or a JS exception naming the function
Sidecar * unwrap_sidecar(Napi::Env env, Napi::Value v, const char * fn);

// probes.cpp
void init_probes(Napi::Env env, Napi::Object exports);

// Injects a sidecar's cross-attention into a context's layer outputs through the layer hook.
// Generation: the cognitive tokens' keys and values are computed once per set()/set_tokens()
// (by the next prepare(), on the decode's worker thread, not the JS thread) into tensors the
// hooked graphs read, and what build() adds depends only on graph_key(), so llama.cpp reuses the
// graph from token to token; prepare() also writes the per-row AGC factors before each compute. Training: the tokens are encoded (and their K/V built) inside each graph.
struct Injector {
    const SidecarModel * sc = nullptr;
    ggml_ptr   ctx;
    buffer_ptr buf;
    ggml_tensor * tokens = nullptr; // [E, N], the cognitive tokens in use
    std::vector<SidecarCrossKV> kv; // per injection layer, computed from tokens
    bool kv_stale = false;          // tokens changed since kv was computed
    ggml_tensor * hidden = nullptr; // [E, L], training: the tokens are encoded in-graph from these
    ggml_tensor * phi    = nullptr; // [F], training, version 2: the output features beside them
    ggml_tensor * scale  = nullptr; // [1, n_batch], per-row factors (AGC, rows before start)
    ggml_tensor * graph_tokens = nullptr; // the in-graph encoding of the graph being built
    int32_t start = 0;              // the last prompt position: injection applies from here on
    bool    agc   = false;
    float   floor = 0.0f;
    float   tau   = 1.0f;
    // inference: per injection layer, whether its gate is not exactly zero (a zero gate adds
    // exactly nothing, so build() leaves that layer as the base's graph)
    std::vector<bool> live;
    // counters for tests (never reset): K/V computations from set tokens, and graphs that
    // built the cognitive tokens' K/V in-graph
    int64_t n_kv_computed = 0;
    int64_t n_kv_in_graph = 0;

    bool active() const { return sc != nullptr; }
    void set(const SidecarModel * sc, const std::vector<float> & tokens, int32_t start, bool agc, float floor, float tau, int32_t n_batch);
    void set_tokens(const std::vector<float> & tokens);
    // training: encode from hidden states inside each graph, so gradients reach the encoder
    void set_training(const SidecarModel * sc, int32_t n_batch);
    // one pass-1 state (cfg.state_size() floats) and the position injection starts at
    void set_hidden(const float * state, int32_t start);
    void clear();
    ggml_tensor * build(ggml_context * g, ggml_tensor * cur, int32_t il, int32_t n_tokens, const llama_pos * pos);
    // what build() adds for a ubatch: bit 0 injects at all, bit 1 scales rows by factors
    uint64_t graph_key(int32_t n_tokens, const llama_pos * pos);
    void     prepare(int32_t n_tokens, const llama_pos * pos);

  private:
    struct Plan { bool any = false; bool scaled = false; };
    std::vector<float> factors; // per row of the ubatch, from plan()
    Plan plan(int32_t n_tokens, const llama_pos * pos);
    void compute_kv();
};

} // namespace cogito
