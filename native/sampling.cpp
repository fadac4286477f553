#include "sampling.h"
#include "common.h"
#include "grammar.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

namespace cogito {

void SamplerState::reset() {
    if (chain) { llama_sampler_free(chain); chain = nullptr; }
    if (grammar) { llama_sampler_free(grammar); grammar = nullptr; }
}

void SamplerState::configure(Napi::Env env, const llama_model * model, Napi::Object o, Napi::Value history) {
    const llama_vocab * vocab = llama_model_get_vocab(model);
    // the previous generation's grammar state is never carried over, even when the new one fails
    if (grammar) { llama_sampler_free(grammar); grammar = nullptr; }
    if (o.Has("grammar") && !o.Get("grammar").IsUndefined()) {
        if (!o.Get("grammar").IsString()) throw_error(env, "INVALID_ARGUMENT", "grammar must be a string of GBNF");
        const std::string root = o.Has("grammarRoot") && o.Get("grammarRoot").IsString() ? o.Get("grammarRoot").As<Napi::String>().Utf8Value() : "root";
        grammar = make_grammar_sampler(env, vocab, o.Get("grammar").As<Napi::String>().Utf8Value(), root);
    }
    auto num = [&](const char * k, double def) -> double {
        return o.Has(k) && o.Get(k).IsNumber() ? o.Get(k).As<Napi::Number>().DoubleValue() : def;
    };
    const double temp = num("temperature", 0.0);
    const int32_t top_k = (int32_t) num("topK", 40);
    const double top_p = num("topP", 0.95);
    const double min_p = num("minP", 0.05);
    const double repeat = num("repeatPenalty", 1.0);
    const int32_t last_n = (int32_t) num("repeatLastN", 64);
    const uint32_t seed = (uint32_t) num("seed", 0);
    const bool ignore_eos = o.Has("ignoreEos") && o.Get("ignoreEos").ToBoolean().Value();
    if (chain) llama_sampler_free(chain);
    llama_sampler_chain_params sp = llama_sampler_chain_default_params();
    sp.no_perf = true;
    chain = llama_sampler_chain_init(sp);
    if (ignore_eos) {
        // llama.cpp's ignore_eos: every end-of-generation token is out of reach of the draw
        std::vector<llama_logit_bias> bias;
        const int32_t n_vocab = llama_vocab_n_tokens(vocab);
        for (llama_token t = 0; t < n_vocab; ++t) {
            if (llama_vocab_is_eog(vocab, t)) bias.push_back({t, -INFINITY});
        }
        if (!bias.empty()) llama_sampler_chain_add(chain, llama_sampler_init_logit_bias(n_vocab, (int32_t) bias.size(), bias.data()));
    }
    if (repeat != 1.0) llama_sampler_chain_add(chain, llama_sampler_init_penalties(llama_vocab_n_tokens(vocab), last_n, (float) repeat, 0.0f, 0.0f));
    if (temp <= 0.0) {
        llama_sampler_chain_add(chain, llama_sampler_init_greedy());
    } else {
        if (top_k > 0) llama_sampler_chain_add(chain, llama_sampler_init_top_k(top_k));
        if (top_p < 1.0) llama_sampler_chain_add(chain, llama_sampler_init_top_p((float) top_p, 1));
        if (min_p > 0.0) llama_sampler_chain_add(chain, llama_sampler_init_min_p((float) min_p, 1));
        llama_sampler_chain_add(chain, llama_sampler_init_temp((float) temp));
        llama_sampler_chain_add(chain, llama_sampler_init_dist(seed));
    }
    // penalties look at the prompt too
    if (history.IsTypedArray()) {
        Napi::Int32Array hist = history.As<Napi::Int32Array>();
        for (size_t i = 0; i < hist.ElementLength(); ++i) llama_sampler_accept(chain, hist[i]);
    }
}

static std::string token_piece(const llama_vocab * vocab, llama_token t) {
    char buf[256];
    int32_t n = llama_token_to_piece(vocab, t, buf, sizeof(buf), 0, false);
    if (n >= 0) return std::string(buf, buf + n);
    std::string piece((size_t) -n, '\0');
    llama_token_to_piece(vocab, t, piece.data(), -n, 0, false);
    return piece;
}

static llama_token chosen(const llama_token_data_array & a) {
    if (a.selected < 0 || a.selected >= (int64_t) a.size) throw std::runtime_error("the sampler selected no token");
    return a.data[a.selected].id;
}

// llama.cpp's own order (common_sampler_sample): the chain picks from the whole distribution and
// the grammar checks that one token; only when it refuses does the whole vocabulary go through
// the grammar, and the chain picks again among the tokens left. Greedy picks the token the
// grammar-first order would; sampling draws from the same constrained distribution (up to how
// top-k/top-p/min-p truncate), and a 32k vocabulary is not masked at every step. The grammar and
// the chain both accept the token. Only a token the grammar allows is ever accepted, so llama.cpp's
// abort on an end of generation the grammar cannot end at is out of reach; when no token is
// allowed, this fails with GRAMMAR_DEAD_END instead.
static llama_token pick(SamplerState & s, const float * logits, int32_t n_vocab) {
    std::vector<llama_token_data> & cur = s.candidates;
    cur.resize((size_t) n_vocab);
    auto fill = [&]() {
        for (llama_token i = 0; i < n_vocab; ++i) cur[i] = llama_token_data{i, logits[i], 0.0f};
        return llama_token_data_array{cur.data(), cur.size(), -1, false};
    };
    llama_token_data_array cur_p = fill();
    llama_sampler_apply(s.chain, &cur_p);
    llama_token t = chosen(cur_p);
    if (s.grammar) {
        llama_token_data single = {t, 1.0f, 0.0f};
        llama_token_data_array single_p = {&single, 1, -1, false};
        llama_sampler_apply(s.grammar, &single_p);
        if (!(single.logit > -INFINITY)) {
            cur_p = fill();
            llama_sampler_apply(s.grammar, &cur_p);
            bool any = false;
            for (size_t i = 0; i < cur_p.size && !any; ++i) any = cur_p.data[i].logit > -INFINITY;
            if (!any) throw CodedError("GRAMMAR_DEAD_END", "no token of the model's vocabulary continues the grammar");
            llama_sampler_apply(s.chain, &cur_p);
            t = chosen(cur_p);
        }
        llama_sampler_accept(s.grammar, t);
    }
    llama_sampler_accept(s.chain, t);
    return t;
}

// e^x for x <= 0 in float: Cephes' expf (x = n·ln 2 + r, a degree-5 polynomial in r, 2^n put in
// the exponent bits), relative error below 1e-7 down to e^-87; smaller x gives e^-87 (≈ 1.6e-38).
// Written without calls so the loop over the vocabulary vectorizes (sampling.cpp is compiled
// with -fno-trapping-math, which lets the clamp become a vector max: CMakeLists.txt).
static inline float exp_nonpositive(float x) {
    x = x > -87.0f ? x : -87.0f;
    const int32_t n = (int32_t) (x * 1.44269504088896341f - 0.5f); // x <= 0: rounds to nearest
    const float fn = (float) n;
    const float r = (x - fn * 0.693359375f) + fn * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    union { float f; int32_t i; } y = { p * r * r + r + 1.0f };
    y.i += n * (1 << 23);
    return y.f;
}

// log Σ e^l and the entropy of softmax(l) over the whole vocabulary. Every generated token pays
// for this: with std::exp in double it cost about as much as a third of the sampler's whole
// step on a 32k vocabulary; the float exponentials vectorize and the sums stay in double.
static void log_partition(SamplerState & s, const float * logits, int32_t n_vocab, double & log_z, double & entropy) {
    float mx = -INFINITY;
    for (int32_t i = 0; i < n_vocab; ++i) mx = std::max(mx, logits[i]);
    s.exps.resize((size_t) n_vocab);
    float * __restrict e = s.exps.data();
    const float * __restrict l = logits;
    for (int32_t i = 0; i < n_vocab; ++i) e[i] = exp_nonpositive(l[i] - mx);
    double z = 0.0, zl = 0.0;
#pragma omp simd reduction(+ : z, zl)
    for (int32_t i = 0; i < n_vocab; ++i) {
        z += e[i];
        zl += (double) e[i] * (double) (l[i] - mx);
    }
    log_z = mx + std::log(z);
    entropy = std::log(z) - zl / z;
}

SampledToken sample_token(SamplerState & s, const llama_vocab * vocab, const float * logits, int32_t top_n) {
    if (!s.ready()) throw CodedError("INVALID_STATE", "no sampler set: call setSampler first");
    const int32_t n_vocab = llama_vocab_n_tokens(vocab);
    // log-probability and entropy of the model's own distribution, before any sampler shaping
    double log_z = 0.0, entropy = 0.0;
    log_partition(s, logits, n_vocab, log_z, entropy);
    SampledToken r;
    r.token = pick(s, logits, n_vocab);
    r.logprob = logits[r.token] - log_z;
    r.entropy = entropy;
    r.eog = llama_vocab_is_eog(vocab, r.token);
    r.piece = token_piece(vocab, r.token);
    const int32_t k = std::min(std::max(top_n, 0), std::min(MAX_TOP_LOGPROBS, n_vocab));
    if (k > 0) {
        std::vector<llama_token> ids((size_t) n_vocab);
        std::iota(ids.begin(), ids.end(), 0);
        // best first; ties by the lower id, so the order is deterministic
        std::partial_sort(ids.begin(), ids.begin() + k, ids.end(), [&](llama_token a, llama_token b) {
            return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
        });
        for (int32_t i = 0; i < k; ++i) r.top.push_back({ids[i], logits[ids[i]] - log_z, token_piece(vocab, ids[i])});
    }
    return r;
}

Napi::Object sampled_to_js(Napi::Env env, const SampledToken & t) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("token", t.token);
    o.Set("logprob", t.logprob);
    o.Set("entropy", t.entropy);
    o.Set("piece", Napi::Buffer<char>::Copy(env, t.piece.data(), t.piece.size()));
    o.Set("eog", t.eog);
    if (!t.top.empty()) {
        Napi::Array top = Napi::Array::New(env, t.top.size());
        for (size_t i = 0; i < t.top.size(); ++i) {
            Napi::Object a = Napi::Object::New(env);
            a.Set("id", t.top[i].id);
            a.Set("logprob", t.top[i].logprob);
            a.Set("piece", Napi::Buffer<char>::Copy(env, t.top[i].piece.data(), t.top[i].piece.size()));
            top.Set((uint32_t) i, a);
        }
        o.Set("top", top);
    }
    return o;
}

} // namespace cogito
