// tick(): one step of continuous batching over a context's sequences. Every sequence that awaits a
// token samples it from its own logits row (kept from the decode that produced it), and the batch
// that is then decoded once holds each sampled token at its sequence's next position together with
// the prompt chunks of sequences still prefilling. The scheduling policy (who goes in which tick,
// how prompts are chunked) is the caller's (src/engine/sequences.ts); this checks the plan and runs it.
#include "context.h"
#include "common.h"

#include <string>

namespace cogito {

namespace {

struct StepPlan {
    int32_t seq;
    int32_t pos;    // where the sampled token goes when it is decoded
    bool decode;    // evaluate the sampled token (unless it ends the generation)
    int32_t top_n;  // alternatives to report
};

struct PromptPlan {
    int32_t seq;
    int32_t pos;                       // position of the first token
    std::vector<llama_token> tokens;
    bool logits;                       // logits of the last token (the prompt's end)
};

struct StepResult {
    int32_t seq;
    SampledToken sampled;
    bool failed = false;
    std::string code, message;
};

class TickWorker : public ContextWorker {
  public:
    TickWorker(Napi::Env env, Context * c, std::vector<StepPlan> steps, std::vector<PromptPlan> prompts)
        : ContextWorker(env, c, "DECODE"), steps(std::move(steps)), prompts(std::move(prompts)) {}

  private:
    void compute() override {
        const llama_vocab * vocab = llama_model_get_vocab(c->model);
        const int32_t n_vocab = llama_vocab_n_tokens(vocab);
        int32_t capacity = 0;
        for (const auto & p : prompts) capacity += (int32_t) p.tokens.size();
        capacity += (int32_t) steps.size();
        llama_batch batch = llama_batch_init(std::max(capacity, 1), 0, 1);
        // batch index whose logits become the sequence's row, per entry
        std::vector<std::pair<int32_t, int32_t>> rows;
        auto add = [&](llama_token t, int32_t pos, int32_t seq, bool logits) {
            const int32_t i = batch.n_tokens++;
            batch.token[i] = t;
            batch.pos[i] = pos;
            batch.n_seq_id[i] = 1;
            batch.seq_id[i][0] = seq;
            batch.logits[i] = logits;
            if (logits) rows.emplace_back(seq, i);
        };
        // a failure while sampling one sequence (a grammar dead end) is that sequence's alone
        for (const StepPlan & s : steps) {
            StepResult r;
            r.seq = s.seq;
            try {
                if (!c->has_logits[s.seq] || (int32_t) c->seq_logits[s.seq].size() != n_vocab) throw CodedError("INVALID_STATE", "sequence " + std::to_string(s.seq) + " has no logits to sample from: evaluate its prompt first");
                c->has_logits[s.seq] = false;
                r.sampled = sample_token(c->samplers[s.seq], vocab, c->seq_logits[s.seq].data(), s.top_n);
                if (s.decode && !r.sampled.eog) add(r.sampled.token, s.pos, s.seq, true);
            } catch (const CodedError & e) {
                r.failed = true; r.code = e.code; r.message = e.what();
            } catch (const std::exception & e) {
                r.failed = true; r.code = "DECODE"; r.message = e.what();
            }
            results.push_back(std::move(r));
        }
        for (const PromptPlan & p : prompts) {
            const int32_t n = (int32_t) p.tokens.size();
            for (int32_t k = 0; k < n; ++k) add(p.tokens[k], p.pos + k, p.seq, p.logits && k == n - 1);
        }
        if (batch.n_tokens > 0) {
            log_capture_begin();
            const int32_t rc = llama_decode(c->ctx, batch);
            std::string reason = log_capture_end();
            if (rc != 0) {
                llama_batch_free(batch);
                throw std::runtime_error("llama_decode failed (" + std::to_string(rc) + ")" + (reason.empty() ? std::string() : ": " + reason));
            }
            for (const auto & [seq, i] : rows) {
                const float * l = llama_get_logits_ith(c->ctx, i);
                if (!l) { llama_batch_free(batch); throw std::runtime_error("llama.cpp returned no logits for a batch row"); }
                c->seq_logits[seq].assign(l, l + n_vocab);
                c->has_logits[seq] = true;
            }
        }
        llama_batch_free(batch);
    }

    Napi::Value resolve(Napi::Env env) override {
        Napi::Array out = Napi::Array::New(env, results.size());
        for (size_t i = 0; i < results.size(); ++i) {
            const StepResult & r = results[i];
            Napi::Object o;
            if (r.failed) {
                o = Napi::Object::New(env);
                o.Set("error", make_error(env, r.code, r.message).Value());
            } else {
                o = sampled_to_js(env, r.sampled);
            }
            o.Set("seq", r.seq);
            out.Set((uint32_t) i, o);
        }
        return out;
    }

    std::vector<StepPlan> steps;
    std::vector<PromptPlan> prompts;
    std::vector<StepResult> results;
};

int32_t int_field(Napi::Env env, Napi::Object o, const char * key, const char * what) {
    Napi::Value v = o.Get(key);
    if (!v.IsNumber()) throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": " + key + " must be a number");
    const double d = v.As<Napi::Number>().DoubleValue();
    if (d != (double) (int32_t) d) throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": " + key + " must be a 32-bit integer");
    return (int32_t) d;
}

} // namespace

// tick(steps: [{seq, pos, decode, top}], prompts: [{seq, pos, tokens: Int32Array, logits}])
//   -> Promise<[{seq, token, logprob, entropy, piece, eog, top?} | {seq, error}]> (one per step, in order)
// Checked before anything runs: sequence ids, each sequence at most once, positions that continue its
// cache and stay below the per-sequence size, token ids, and at most batchSize tokens in all.
Napi::Value Context::Tick(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    llama_context * lc = get(env);
    if (!info[0].IsArray() || !info[1].IsArray()) throw_error(env, "INVALID_ARGUMENT", "tick(steps, prompts): both must be arrays");
    Napi::Array js_steps = info[0].As<Napi::Array>();
    Napi::Array js_prompts = info[1].As<Napi::Array>();
    llama_memory_t mem = llama_get_memory(lc);
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    std::vector<bool> seen((size_t) n_seq, false);
    auto check_seq = [&](int32_t seq, const char * what) {
        if (seq < 0 || seq >= n_seq) throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": sequence " + std::to_string(seq) + " does not exist (the context has " + std::to_string(n_seq) + ")");
        if (seen[seq]) throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": sequence " + std::to_string(seq) + " appears twice in one tick");
        seen[seq] = true;
    };
    // the next position of a sequence is right after its last cached one
    auto check_pos = [&](int32_t seq, int32_t pos, int32_t n, const char * what) {
        const int32_t next = llama_memory_seq_pos_max(mem, seq) + 1;
        if (pos != next) throw_error(env, "INVALID_ARGUMENT", std::string(what) + ": sequence " + std::to_string(seq) + " continues at position " + std::to_string(next) + ", not " + std::to_string(pos));
        if (pos + n > seq_size) throw_error(env, "CONTEXT_OVERFLOW", std::string(what) + ": sequence " + std::to_string(seq) + " needs " + std::to_string(pos + n) + " positions but holds " + std::to_string(seq_size));
    };
    int64_t total = 0;
    std::vector<StepPlan> steps;
    for (uint32_t i = 0; i < js_steps.Length(); ++i) {
        if (!js_steps.Get(i).IsObject()) throw_error(env, "INVALID_ARGUMENT", "tick: each step must be an object");
        Napi::Object o = js_steps.Get(i).As<Napi::Object>();
        StepPlan s;
        s.seq = int_field(env, o, "seq", "tick step");
        s.pos = int_field(env, o, "pos", "tick step");
        s.decode = o.Get("decode").ToBoolean();
        s.top_n = o.Get("top").IsUndefined() ? 0 : int_field(env, o, "top", "tick step");
        check_seq(s.seq, "tick step");
        if (!samplers[s.seq].ready()) throw_error(env, "INVALID_STATE", "tick step: sequence " + std::to_string(s.seq) + " has no sampler: call setSampler first");
        if (s.top_n < 0 || s.top_n > MAX_TOP_LOGPROBS) throw_error(env, "INVALID_ARGUMENT", "topLogprobs must be in [0, " + std::to_string(MAX_TOP_LOGPROBS) + "]");
        if (s.decode) { check_pos(s.seq, s.pos, 1, "tick step"); total += 1; }
        steps.push_back(s);
    }
    std::vector<PromptPlan> prompts;
    for (uint32_t i = 0; i < js_prompts.Length(); ++i) {
        if (!js_prompts.Get(i).IsObject()) throw_error(env, "INVALID_ARGUMENT", "tick: each prompt chunk must be an object");
        Napi::Object o = js_prompts.Get(i).As<Napi::Object>();
        PromptPlan p;
        p.seq = int_field(env, o, "seq", "tick prompt");
        p.pos = int_field(env, o, "pos", "tick prompt");
        p.logits = o.Get("logits").ToBoolean();
        Napi::Value t = o.Get("tokens");
        if (!t.IsTypedArray() || t.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) throw_error(env, "INVALID_ARGUMENT", "tick prompt: tokens must be an Int32Array");
        Napi::Int32Array toks = t.As<Napi::Int32Array>();
        if (toks.ElementLength() == 0) throw_error(env, "INVALID_ARGUMENT", "tick prompt: a chunk needs at least one token");
        for (size_t k = 0; k < toks.ElementLength(); ++k) {
            if (toks[k] < 0 || toks[k] >= n_vocab) throw_error(env, "INVALID_ARGUMENT", "token id " + std::to_string(toks[k]) + " is outside the vocabulary");
        }
        check_seq(p.seq, "tick prompt");
        check_pos(p.seq, p.pos, (int32_t) toks.ElementLength(), "tick prompt");
        p.tokens.assign(toks.Data(), toks.Data() + toks.ElementLength());
        total += (int64_t) p.tokens.size();
        prompts.push_back(std::move(p));
    }
    if (total > n_batch) throw_error(env, "INVALID_ARGUMENT", "tick: " + std::to_string(total) + " tokens exceed the batch size " + std::to_string(n_batch));
    claim_busy(env, this);
    return (new TickWorker(env, this, std::move(steps), std::move(prompts)))->queue();
}

} // namespace cogito
