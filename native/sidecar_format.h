// The sidecar format (sidecars/FORMAT.md) on the native side: the config a file describes, the
// tensors it must hold, and the checks that refuse a bad file with a message naming the key or
// tensor. Keys, types and shapes come from the one table (sidecar_format_table.h, generated from
// sidecars/format.json); the TypeScript writer hands its output to the same checks.
#pragma once

#include "ggml.h"
#include "gguf.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cogito {

// In the order of the table's `encoders`.
enum class EncoderType { selective, multi_token, transformer };

struct SidecarConfig {
    int32_t version = 2;
    EncoderType encoder = EncoderType::selective;
    int32_t n_embd     = 0; // E
    int32_t n_layer    = 0; // base layers
    int32_t n_tokens   = 0; // N cognitive tokens
    int32_t enc_heads  = 1;
    int32_t enc_ff     = 0;
    int32_t bottleneck = 0; // B
    int32_t heads      = 1; // H
    float   gate_init  = 0.0f;
    float   rms_eps    = 1e-5f;
    float   agc_floor  = 0.0f;
    float   agc_tau    = 1.0f;
    float   threshold  = 0.5f;
    std::string kind;
    std::string base_fingerprint;
    std::string base_architecture;
    std::string refusal;
    std::string gating; // empty: the key is absent ('always')
    // not in the file: gates enter as tanh(gate_scale·g) and the multi_token queries (the token
    // preferences) as gate_scale·q, so a trainer can give them a larger effective learning rate
    // (Adam's step is scale-free) and scale them back afterwards
    float   gate_scale = 1.0f;
    std::vector<int32_t> target_layers; // L
    std::vector<int32_t> inject_layers; // J

    int32_t n_target() const { return (int32_t) target_layers.size(); }
    // F: output features the sidecar reads after the hidden states (0 in version 1)
    int32_t n_out() const;
    // floats of one pass-1 state: L hidden states of E, then F output features
    int64_t state_size() const { return (int64_t) n_embd * n_target() + n_out(); }
    int32_t n_inject() const { return (int32_t) inject_layers.size(); }
    // index j of a base layer in inject_layers, or -1
    int32_t inject_index(int32_t il) const;
    const char * encoder_name() const;
};

// One (name, shape) per tensor the config requires, in file order.
struct TensorSpec {
    std::string name;
    std::vector<int64_t> shape;
};
std::vector<TensorSpec> sidecar_tensor_specs(const SidecarConfig & cfg);

// What a file (or the writer) holds for one tensor.
struct StoredTensor {
    std::string name;
    ggml_type   type;
    int64_t     ne[GGML_MAX_DIMS];
};

// Reads and checks the metadata; throws std::runtime_error with a message naming the bad key.
SidecarConfig sidecar_read_config(const gguf_context * g);

// The stored tensors are exactly those the config requires, each F32 of the required shape.
void sidecar_check_tensors(const SidecarConfig & cfg, const std::vector<StoredTensor> & stored);

// Only finite values (FORMAT.md): a NaN or Inf is refused with its tensor and index.
void sidecar_check_finite(const std::string & name, const float * data, int64_t n);

} // namespace cogito
