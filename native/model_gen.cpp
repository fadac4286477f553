// makeModel: a randomly initialised llama-architecture model with a real tokenizer (the vocabulary
// taken from another GGUF), written in gguf's layout — the start of a model cogito trains itself.
#include "common.h"
#include "gguf_io.h"

#include "ggml.h"
#include "gguf.h"
#include "llama.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace cogito {

struct MakeModelOptions {
    std::string out, vocab, name;
    int64_t n_embd = 256, n_layer = 4, n_head = 4, n_head_kv = 4, n_ff = 768, n_ctx = 2048;
    uint64_t seed = 42;
    bool f16 = false;
    float init_std = 0.02f;
};

class MakeModelWorker : public PromiseWorker {
  public:
    MakeModelWorker(Napi::Env env, MakeModelOptions o) : PromiseWorker(env, "MAKE_MODEL"), o(std::move(o)) {}

  private:
    void run() override {
        gguf_init_params vp = { /*.no_alloc =*/ true, /*.ctx =*/ nullptr };
        gguf_ptr vocab(gguf_init_from_file(o.vocab.c_str(), vp));
        if (!vocab) throw std::runtime_error("could not read vocabulary GGUF " + o.vocab);
        int64_t tok_id = gguf_find_key(vocab.get(), "tokenizer.ggml.tokens");
        if (tok_id < 0) throw std::runtime_error(o.vocab + " has no tokenizer.ggml.tokens");
        const int64_t n_vocab = (int64_t) gguf_get_arr_n(vocab.get(), tok_id);
        if (o.n_embd % o.n_head != 0 || o.n_head % o.n_head_kv != 0) throw std::runtime_error("n_embd must divide by n_head and n_head by n_head_kv");

        gguf_ptr g(gguf_init_empty());
        // keep only the tokenizer from the vocab file; the rest describes the new model
        gguf_set_kv(g.get(), vocab.get());
        for (int64_t i = gguf_get_n_kv(g.get()) - 1; i >= 0; --i) {
            if (strncmp(gguf_get_key(g.get(), i), "tokenizer.", 10) != 0) gguf_remove_key(g.get(), gguf_get_key(g.get(), i));
        }
        const int64_t head_dim = o.n_embd / o.n_head;
        gguf_set_val_str(g.get(), "general.architecture", "llama");
        gguf_set_val_str(g.get(), "general.name", o.name.c_str());
        gguf_set_val_u32(g.get(), "general.file_type", o.f16 ? LLAMA_FTYPE_MOSTLY_F16 : LLAMA_FTYPE_ALL_F32);
        gguf_set_val_u32(g.get(), "llama.context_length", (uint32_t) o.n_ctx);
        gguf_set_val_u32(g.get(), "llama.embedding_length", (uint32_t) o.n_embd);
        gguf_set_val_u32(g.get(), "llama.block_count", (uint32_t) o.n_layer);
        gguf_set_val_u32(g.get(), "llama.feed_forward_length", (uint32_t) o.n_ff);
        gguf_set_val_u32(g.get(), "llama.attention.head_count", (uint32_t) o.n_head);
        gguf_set_val_u32(g.get(), "llama.attention.head_count_kv", (uint32_t) o.n_head_kv);
        gguf_set_val_u32(g.get(), "llama.rope.dimension_count", (uint32_t) head_dim);
        gguf_set_val_f32(g.get(), "llama.rope.freq_base", 10000.0f);
        gguf_set_val_f32(g.get(), "llama.attention.layer_norm_rms_epsilon", 1e-5f);
        gguf_set_val_u32(g.get(), "llama.vocab_size", (uint32_t) n_vocab);

        struct spec { std::string name; int64_t ne0, ne1; bool norm; };
        std::vector<spec> specs;
        const int64_t n_embd_kv = head_dim * o.n_head_kv;
        specs.push_back({"token_embd.weight", o.n_embd, n_vocab, false});
        for (int64_t il = 0; il < o.n_layer; ++il) {
            std::string p = "blk." + std::to_string(il) + ".";
            specs.push_back({p + "attn_norm.weight", o.n_embd, 1, true});
            specs.push_back({p + "attn_q.weight", o.n_embd, o.n_embd, false});
            specs.push_back({p + "attn_k.weight", o.n_embd, n_embd_kv, false});
            specs.push_back({p + "attn_v.weight", o.n_embd, n_embd_kv, false});
            specs.push_back({p + "attn_output.weight", o.n_embd, o.n_embd, false});
            specs.push_back({p + "ffn_norm.weight", o.n_embd, 1, true});
            specs.push_back({p + "ffn_gate.weight", o.n_embd, o.n_ff, false});
            specs.push_back({p + "ffn_up.weight", o.n_embd, o.n_ff, false});
            specs.push_back({p + "ffn_down.weight", o.n_ff, o.n_embd, false});
        }
        specs.push_back({"output_norm.weight", o.n_embd, 1, true});
        specs.push_back({"output.weight", o.n_embd, n_vocab, false});

        ggml_init_params ip = { /*.mem_size =*/ ggml_tensor_overhead() * (specs.size() + 1), /*.mem_buffer =*/ nullptr, /*.no_alloc =*/ true };
        ggml_ptr mctx(ggml_init(ip));
        std::vector<ggml_tensor *> ts;
        for (auto & s : specs) {
            ggml_type type = (o.f16 && !s.norm) ? GGML_TYPE_F16 : GGML_TYPE_F32;
            ggml_tensor * t = s.norm ? ggml_new_tensor_1d(mctx.get(), type, s.ne0) : ggml_new_tensor_2d(mctx.get(), type, s.ne0, s.ne1);
            ggml_set_name(t, s.name.c_str());
            gguf_add_tensor(g.get(), t);
            ts.push_back(t);
        }

        // metadata through gguf, then the tensor data streamed in gguf's layout (aligned, in order)
        std::string tmp = o.out + ".tmp";
        file_ptr f(fopen(tmp.c_str(), "wb"));
        if (!f) throw std::runtime_error("could not write " + o.out);
        std::vector<uint8_t> meta(gguf_get_meta_size(g.get()));
        gguf_get_meta_data(g.get(), meta.data());
        fwrite(meta.data(), 1, meta.size(), f.get());
        std::mt19937_64 rng(o.seed);
        std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
        const float a = o.init_std * std::sqrt(3.0f); // uniform with the requested standard deviation
        const size_t align = gguf_get_alignment(g.get());
        std::vector<float> row;
        std::vector<ggml_fp16_t> row16;
        for (size_t i = 0; i < ts.size(); ++i) {
            ggml_tensor * t = ts[i];
            const int64_t ne0 = t->ne[0];
            row.resize(ne0);
            row16.resize(ne0);
            for (int64_t r = 0; r < ggml_nrows(t); ++r) {
                for (int64_t k = 0; k < ne0; ++k) row[k] = specs[i].norm ? 1.0f : a * uni(rng);
                if (t->type == GGML_TYPE_F16) {
                    ggml_fp32_to_fp16_row(row.data(), row16.data(), ne0);
                    fwrite(row16.data(), sizeof(ggml_fp16_t), ne0, f.get());
                } else {
                    fwrite(row.data(), sizeof(float), ne0, f.get());
                }
            }
            const size_t pad = GGML_PAD(ggml_nbytes(t), align) - ggml_nbytes(t);
            static const uint8_t zeros[64] = {0};
            if (pad) fwrite(zeros, 1, pad, f.get());
        }
        if (ferror(f.get())) throw std::runtime_error("write failed for " + o.out);
        f.reset();
        if (std::rename(tmp.c_str(), o.out.c_str()) != 0) throw std::runtime_error("could not rename " + tmp);
        n_params = 0;
        for (auto * t : ts) n_params += ggml_nelements(t);
    }

    Napi::Value resolve(Napi::Env env) override {
        Napi::Object r = Napi::Object::New(env);
        r.Set("path", o.out);
        r.Set("parameters", (double) n_params);
        return r;
    }

    MakeModelOptions o;
    int64_t n_params = 0;
};

static Napi::Value MakeModel(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    Napi::Object a = info[0].As<Napi::Object>();
    MakeModelOptions o;
    o.out = a.Get("out").As<Napi::String>();
    o.vocab = a.Get("vocab").As<Napi::String>();
    o.name = a.Get("name").IsString() ? a.Get("name").As<Napi::String>().Utf8Value() : std::string("cogito-random");
    auto num = [&](const char * k, int64_t & v) { if (a.Has(k) && a.Get(k).IsNumber()) v = a.Get(k).As<Napi::Number>().Int64Value(); };
    num("nEmbd", o.n_embd); num("nLayer", o.n_layer); num("nHead", o.n_head); num("nHeadKv", o.n_head_kv);
    num("nFf", o.n_ff); num("nCtx", o.n_ctx);
    if (a.Get("seed").IsNumber()) o.seed = (uint64_t) a.Get("seed").As<Napi::Number>().Int64Value();
    if (a.Get("f16").IsBoolean()) o.f16 = a.Get("f16").As<Napi::Boolean>();
    if (a.Get("initStd").IsNumber()) o.init_std = a.Get("initStd").As<Napi::Number>().FloatValue();
    return (new MakeModelWorker(env, o))->queue();
}

void init_model_gen(Napi::Env env, Napi::Object exports) {
    exports.Set("makeModel", Napi::Function::New(env, MakeModel));
}

} // namespace cogito
