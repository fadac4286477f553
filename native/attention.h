// Attention entropy: reads llama.cpp's softmaxed attention weights (the graph nodes
// "kq_soft_max-<il>", present only with flash attention off) through the eval callback and keeps,
// per chosen layer, the entropy of the last batch row's attention over the KV positions.
#pragma once

#include <napi.h>

#include "llama.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace cogito {

struct AttentionEntropy {
    std::vector<char>  wanted;  // per layer
    std::vector<float> mean;    // per layer: entropy (nats) averaged over heads
    std::vector<float> max;     // per layer: the largest head's entropy
    std::vector<char>  seen;    // per layer: read since the last reset
    // Off between reads: the callback then asks for no node, so the scheduler computes each graph
    // split in one piece as without it (generation does not pay for the option).
    bool recording = false;

    // llama.cpp's ggml_backend_sched_eval_callback
    static bool on_eval(ggml_tensor * t, bool ask, void * ud);
};

// The createContext option `attentionEntropy: Int32Array` (layer indices, checked in
// src/engine/context.ts): installs the callback in `p` and turns flash attention off, which the
// weights need to exist as a node. Null when the option is absent.
std::unique_ptr<AttentionEntropy> attention_entropy_option(Napi::Env env, Napi::Object options, const llama_model * model, llama_context_params & p);

} // namespace cogito
