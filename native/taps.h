// Layer taps: reads the residual stream (llama.cpp's l_out) after chosen layers through
// the layer hook patch. Nothing is installed when no layer is tapped, so taps cost nothing then.
#pragma once

#include "llama.h"

#include <cstdint>
#include <vector>

namespace cogito {

struct TapRecorder {
    int32_t n_layer = 0;
    int32_t n_embd  = 0;
    bool want_last = false; // the last row of the latest ubatch
    bool want_all  = false; // every row, appended across ubatches
    bool want_mean = false; // running sum and count of rows

    std::vector<char>                enabled;  // per layer
    std::vector<ggml_tensor *>       tensors;  // per layer, from the latest graph build (reused graphs keep them)
    std::vector<std::vector<float>>  last;
    std::vector<std::vector<float>>  all;
    std::vector<std::vector<double>> sum;
    std::vector<int64_t>             rows;     // rows seen per layer (all / mean)

    void configure(int32_t n_layer, int32_t n_embd, const std::vector<int32_t> & layers, bool last, bool all, bool mean);
    void reset();
    bool active() const;

    static ggml_tensor * on_build(void * ud, ggml_context * ctx, ggml_tensor * cur, int32_t il, int32_t n_tokens, const llama_pos * pos);
    static void          on_computed(void * ud, int32_t n_tokens, const llama_pos * pos);
};

} // namespace cogito
