// Sampling one token from a row of logits: the sampler chain, the grammar, the model's own
// log-probabilities and the most likely alternatives. Shared by a context's single sequence
// (Context::step) and the sequences of a batch (Context::tick), so both sample the same way.
#pragma once

#include <napi.h>

#include "llama.h"

#include <string>
#include <utility>
#include <vector>

namespace cogito {

// The most alternatives a step reports (OpenAI's top_logprobs allows 20).
constexpr int32_t MAX_TOP_LOGPROBS = 20;

// One sequence's sampler: the chain (penalties, truncation, temperature, the draw) and, when the
// output is constrained, the grammar sampler, kept outside the chain so the prompt history the
// chain's penalties accept never reaches it.
struct SamplerState {
    llama_sampler * chain = nullptr;
    llama_sampler * grammar = nullptr;
    // per-token scratch, kept so that no step allocates a vocabulary-sized array
    std::vector<llama_token_data> candidates;
    std::vector<float> exps;

    SamplerState() = default;
    SamplerState(const SamplerState &) = delete;
    SamplerState & operator=(const SamplerState &) = delete;
    ~SamplerState() { reset(); }

    void reset();
    bool ready() const { return chain != nullptr; }
    // Replaces the sampler from JS options {temperature, topK, topP, minP, repeatPenalty, repeatLastN,
    // seed, grammar?, grammarRoot?}; `history` (Int32Array, optional) is what the penalties have seen.
    // Throws a JS error (INVALID_GRAMMAR, INVALID_ARGUMENT) on the calling (JS) thread.
    void configure(Napi::Env env, const llama_model * model, Napi::Object options, Napi::Value history);
};

struct SampledToken {
    llama_token token = 0;
    double logprob = 0;
    double entropy = 0;
    bool eog = false;
    std::string piece;
    // the `top_n` most likely tokens of the raw distribution, best first: id, log-probability, piece
    struct Alternative { llama_token id; double logprob; std::string piece; };
    std::vector<Alternative> top;
};

// Samples from `logits` (n_vocab values) and accepts the token into the chain and the grammar.
// Worker-thread safe: throws CodedError (GRAMMAR_DEAD_END) or std::runtime_error, never a JS error.
SampledToken sample_token(SamplerState & s, const llama_vocab * vocab, const float * logits, int32_t top_n);

// {token, logprob, entropy, piece: Buffer, eog, top?: [{id, logprob, piece: Buffer}]}
Napi::Object sampled_to_js(Napi::Env env, const SampledToken & t);

} // namespace cogito
