#include "attention.h"
#include "common.h"
#include "context.h"

#include <cmath>
#include <cstring>
#include <string>

namespace cogito {

static const char ATTN_NODE[] = "kq_soft_max-";

// The layer of a "kq_soft_max-<il>" node that is wanted, or -1.
static int32_t wanted_layer(const AttentionEntropy * a, const ggml_tensor * t) {
    const size_t n = sizeof(ATTN_NODE) - 1;
    if (std::strncmp(t->name, ATTN_NODE, n) != 0) return -1;
    char * end = nullptr;
    const long il = std::strtol(t->name + n, &end, 10);
    if (end == t->name + n || *end != '\0' || il < 0 || il >= (long) a->wanted.size() || !a->wanted[il]) return -1;
    return (int32_t) il;
}

bool AttentionEntropy::on_eval(ggml_tensor * t, bool ask, void * ud) {
    auto * a = static_cast<AttentionEntropy *>(ud);
    if (!a->recording) return !ask; // asked: nothing wanted; told: go on
    const int32_t il = wanted_layer(a, t);
    if (ask) return il >= 0;
    if (il < 0 || t->type != GGML_TYPE_F32 || t->nb[0] != sizeof(float)) return true;
    // [n_kv, n_tokens, n_head, n_stream]: the last token's row of each head, in the last stream
    const int64_t n_kv = t->ne[0], n_tokens = t->ne[1], n_head = t->ne[2], n_stream = t->ne[3];
    std::vector<float> row((size_t) n_kv);
    double sum = 0, top = 0;
    for (int64_t h = 0; h < n_head; ++h) {
        const size_t offset = (size_t) ((n_tokens - 1) * t->nb[1] + h * t->nb[2] + (n_stream - 1) * t->nb[3]);
        ggml_backend_tensor_get(t, row.data(), offset, row.size() * sizeof(float));
        double e = 0;
        for (float p : row) {
            if (p > 0) e -= (double) p * std::log((double) p); // masked positions are exactly 0
        }
        sum += e;
        top = std::max(top, e);
    }
    a->mean[il] = (float) (n_head > 0 ? sum / (double) n_head : 0);
    a->max[il] = (float) top;
    a->seen[il] = 1;
    return true;
}

std::unique_ptr<AttentionEntropy> attention_entropy_option(Napi::Env env, Napi::Object options, const llama_model * model, llama_context_params & p) {
    if (!options.Has("attentionEntropy") || options.Get("attentionEntropy").IsUndefined()) return nullptr;
    if (!options.Get("attentionEntropy").IsTypedArray()) throw_error(env, "INVALID_ARGUMENT", "attentionEntropy must be an Int32Array of layer indices");
    Napi::Int32Array layers = options.Get("attentionEntropy").As<Napi::Int32Array>();
    const int32_t n_layer = llama_model_n_layer(model);
    auto a = std::make_unique<AttentionEntropy>();
    a->wanted.assign((size_t) n_layer, 0);
    a->mean.assign((size_t) n_layer, 0);
    a->max.assign((size_t) n_layer, 0);
    a->seen.assign((size_t) n_layer, 0);
    for (size_t i = 0; i < layers.ElementLength(); ++i) {
        const int32_t il = layers[i];
        if (il < 0 || il >= n_layer) throw_error(env, "INVALID_ARGUMENT", "attentionEntropy: layer " + std::to_string(il) + " does not exist (the model has " + std::to_string(n_layer) + ")");
        a->wanted[(size_t) il] = 1;
    }
    p.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    p.cb_eval = AttentionEntropy::on_eval;
    p.cb_eval_user_data = a.get();
    return a;
}

// recordAttentionEntropy(on: boolean): clears the values and records (or stops) from the next decode on
Napi::Value Context::RecordAttentionEntropy(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    if (busy) throw_error(env, "BUSY", "the context is running an operation");
    if (!attention) throw_error(env, "INVALID_STATE", "this context was created without attentionEntropy");
    attention->recording = info.Length() > 0 && info[0].ToBoolean();
    std::fill(attention->seen.begin(), attention->seen.end(), 0);
    return env.Undefined();
}

// readAttentionEntropy() -> [{layer, mean, max}] for the wanted layers read since recording began
Napi::Value Context::ReadAttentionEntropy(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    if (busy) throw_error(env, "BUSY", "the context is running an operation");
    if (!attention) throw_error(env, "INVALID_STATE", "this context was created without attentionEntropy");
    Napi::Array out = Napi::Array::New(env);
    uint32_t k = 0;
    for (size_t il = 0; il < attention->wanted.size(); ++il) {
        if (!attention->wanted[il] || !attention->seen[il]) continue;
        Napi::Object o = Napi::Object::New(env);
        o.Set("layer", (double) il);
        o.Set("mean", (double) attention->mean[il]);
        o.Set("max", (double) attention->max[il]);
        out.Set(k++, o);
    }
    return out;
}

} // namespace cogito
