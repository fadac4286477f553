#include "gguf_io.h"
#include "common.h"

#include "ggml.h"
#include "gguf.h"
#include "llama.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace cogito {

static int64_t file_size(const std::string & path) {
    file_ptr f(fopen(path.c_str(), "rb"));
    if (!f) return -1;
    if (fseeko(f.get(), 0, SEEK_END) != 0) return -1;
    return (int64_t) ftello(f.get());
}

std::string validate_gguf(const std::string & path) {
    int64_t size = file_size(path);
    if (size < 0) return "file not found or not readable";
    if (size < 8) return "file is too small to be a GGUF";
    {
        file_ptr f(fopen(path.c_str(), "rb"));
        char magic[4];
        if (fread(magic, 1, 4, f.get()) != 4 || memcmp(magic, "GGUF", 4) != 0) return "not a GGUF file (bad magic)";
    }
    log_capture_begin();
    gguf_init_params params = { /*.no_alloc =*/ true, /*.ctx =*/ nullptr };
    gguf_ptr ctx(gguf_init_from_file(path.c_str(), params));
    std::string why = log_capture_end();
    if (!ctx) return "corrupt or truncated GGUF" + (why.empty() ? std::string() : " (" + why + ")");
    const size_t data_offset = gguf_get_data_offset(ctx.get());
    for (int64_t i = 0; i < gguf_get_n_tensors(ctx.get()); ++i) {
        const uint64_t end = data_offset + gguf_get_tensor_offset(ctx.get(), i) + gguf_get_tensor_size(ctx.get(), i);
        if ((int64_t) end > size) {
            return std::string("truncated GGUF: tensor '") + gguf_get_tensor_name(ctx.get(), i) + "' ends past the end of the file";
        }
    }
    return "";
}

std::string fingerprint_gguf(const std::string & path) {
    gguf_init_params params = { /*.no_alloc =*/ true, /*.ctx =*/ nullptr };
    gguf_ptr ctx(gguf_init_from_file(path.c_str(), params));
    if (!ctx) return "";
    Hasher h;
    const int64_t n = gguf_get_n_tensors(ctx.get());
    for (int64_t i = 0; i < n; ++i) {
        const char * name = gguf_get_tensor_name(ctx.get(), i);
        h.update(name, strlen(name));
        const int32_t type = gguf_get_tensor_type(ctx.get(), i);
        h.update(&type, sizeof(type));
        h.update(gguf_get_tensor_ne(ctx.get(), i), sizeof(int64_t) * GGML_MAX_DIMS);
    }
    // the tensor data section, in file order
    file_ptr f(fopen(path.c_str(), "rb"));
    if (!f || fseeko(f.get(), (off_t) gguf_get_data_offset(ctx.get()), SEEK_SET) != 0) return "";
    std::vector<char> buf(1 << 20);
    size_t got;
    while ((got = fread(buf.data(), 1, buf.size(), f.get())) > 0) {
        h.update(buf.data(), got);
    }
    return h.hex();
}

// ---- reading metadata -------------------------------------------------------------------

static Napi::Value gguf_scalar(Napi::Env env, const gguf_context * ctx, int64_t id, gguf_type type) {
    switch (type) {
        case GGUF_TYPE_UINT8:   return Napi::Number::New(env, gguf_get_val_u8(ctx, id));
        case GGUF_TYPE_INT8:    return Napi::Number::New(env, gguf_get_val_i8(ctx, id));
        case GGUF_TYPE_UINT16:  return Napi::Number::New(env, gguf_get_val_u16(ctx, id));
        case GGUF_TYPE_INT16:   return Napi::Number::New(env, gguf_get_val_i16(ctx, id));
        case GGUF_TYPE_UINT32:  return Napi::Number::New(env, gguf_get_val_u32(ctx, id));
        case GGUF_TYPE_INT32:   return Napi::Number::New(env, gguf_get_val_i32(ctx, id));
        case GGUF_TYPE_FLOAT32: return Napi::Number::New(env, gguf_get_val_f32(ctx, id));
        case GGUF_TYPE_UINT64:  return Napi::Number::New(env, (double) gguf_get_val_u64(ctx, id));
        case GGUF_TYPE_INT64:   return Napi::Number::New(env, (double) gguf_get_val_i64(ctx, id));
        case GGUF_TYPE_FLOAT64: return Napi::Number::New(env, gguf_get_val_f64(ctx, id));
        case GGUF_TYPE_BOOL:    return Napi::Boolean::New(env, gguf_get_val_bool(ctx, id));
        case GGUF_TYPE_STRING:  return Napi::String::New(env, gguf_get_val_str(ctx, id));
        default:                return env.Null();
    }
}

static Napi::Value gguf_array_item(Napi::Env env, const gguf_context * ctx, int64_t id, gguf_type type, size_t i) {
    const void * data = type == GGUF_TYPE_STRING ? nullptr : gguf_get_arr_data(ctx, id);
    switch (type) {
        case GGUF_TYPE_UINT8:   return Napi::Number::New(env, ((const uint8_t *) data)[i]);
        case GGUF_TYPE_INT8:    return Napi::Number::New(env, ((const int8_t *) data)[i]);
        case GGUF_TYPE_UINT16:  return Napi::Number::New(env, ((const uint16_t *) data)[i]);
        case GGUF_TYPE_INT16:   return Napi::Number::New(env, ((const int16_t *) data)[i]);
        case GGUF_TYPE_UINT32:  return Napi::Number::New(env, ((const uint32_t *) data)[i]);
        case GGUF_TYPE_INT32:   return Napi::Number::New(env, ((const int32_t *) data)[i]);
        case GGUF_TYPE_FLOAT32: return Napi::Number::New(env, ((const float *) data)[i]);
        case GGUF_TYPE_UINT64:  return Napi::Number::New(env, (double) ((const uint64_t *) data)[i]);
        case GGUF_TYPE_INT64:   return Napi::Number::New(env, (double) ((const int64_t *) data)[i]);
        case GGUF_TYPE_FLOAT64: return Napi::Number::New(env, ((const double *) data)[i]);
        case GGUF_TYPE_BOOL:    return Napi::Boolean::New(env, ((const int8_t *) data)[i] != 0);
        case GGUF_TYPE_STRING:  return Napi::String::New(env, gguf_get_arr_str(ctx, id, i));
        default:                return env.Null();
    }
}

// readGguf(path, maxArray) -> { version, alignment, dataOffset, fileSize, metadata: {key: {type, value, length?}}, tensors: [...] }
class ReadGgufWorker : public Napi::AsyncWorker {
  public:
    ReadGgufWorker(Napi::Env env, std::string path, size_t max_array)
        : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), path(std::move(path)), max_array(max_array) {}
    Napi::Promise promise() { return deferred.Promise(); }

    void Execute() override {
        reason = validate_gguf(path);
        if (!reason.empty()) return;
        gguf_init_params params = { /*.no_alloc =*/ true, /*.ctx =*/ nullptr };
        ctx.reset(gguf_init_from_file(path.c_str(), params));
        size = file_size(path);
    }

    void OnOK() override {
        Napi::Env env = Env();
        if (!reason.empty()) {
            deferred.Reject(make_error(env, reason.rfind("file not found", 0) == 0 ? "ENOENT" : "BAD_GGUF", path + ": " + reason).Value());
            return;
        }
        gguf_context * c = ctx.get();
        Napi::Object out = Napi::Object::New(env);
        out.Set("version", gguf_get_version(c));
        out.Set("alignment", (double) gguf_get_alignment(c));
        out.Set("dataOffset", (double) gguf_get_data_offset(c));
        out.Set("fileSize", (double) size);
        Napi::Object meta = Napi::Object::New(env);
        for (int64_t i = 0; i < gguf_get_n_kv(c); ++i) {
            Napi::Object entry = Napi::Object::New(env);
            gguf_type type = gguf_get_kv_type(c, i);
            if (type == GGUF_TYPE_ARRAY) {
                gguf_type at = gguf_get_arr_type(c, i);
                size_t n = gguf_get_arr_n(c, i);
                entry.Set("type", std::string("array<") + gguf_type_name(at) + ">");
                entry.Set("length", (double) n);
                size_t take = std::min(n, max_array);
                Napi::Array values = Napi::Array::New(env, take);
                for (size_t k = 0; k < take; ++k) values.Set((uint32_t) k, gguf_array_item(env, c, i, at, k));
                entry.Set("value", values);
            } else {
                entry.Set("type", gguf_type_name(type));
                entry.Set("value", gguf_scalar(env, c, i, type));
            }
            meta.Set(gguf_get_key(c, i), entry);
        }
        out.Set("metadata", meta);
        Napi::Array tensors = Napi::Array::New(env);
        for (int64_t i = 0; i < gguf_get_n_tensors(c); ++i) {
            Napi::Object t = Napi::Object::New(env);
            t.Set("name", gguf_get_tensor_name(c, i));
            t.Set("type", ggml_type_name(gguf_get_tensor_type(c, i)));
            const int64_t * ne = gguf_get_tensor_ne(c, i);
            int nd = GGML_MAX_DIMS;
            while (nd > 1 && ne[nd - 1] == 1) nd--;
            Napi::Array shape = Napi::Array::New(env, nd);
            for (int d = 0; d < nd; ++d) shape.Set((uint32_t) d, (double) ne[d]);
            t.Set("shape", shape);
            t.Set("offset", (double) gguf_get_tensor_offset(c, i));
            t.Set("size", (double) gguf_get_tensor_size(c, i));
            tensors.Set((uint32_t) i, t);
        }
        out.Set("tensors", tensors);
        deferred.Resolve(out);
    }

    void OnError(const Napi::Error & e) override { deferred.Reject(e.Value()); }

  private:
    Napi::Promise::Deferred deferred;
    std::string path;
    size_t max_array;
    std::string reason;
    gguf_ptr ctx;
    int64_t size = 0;
};

static Napi::Value ReadGguf(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString()) throw_error(env, "INVALID_ARGUMENT", "readGguf: path must be a string");
    size_t max_array = info[1].IsNumber() ? (size_t) info[1].As<Napi::Number>().Int64Value() : 64;
    auto * w = new ReadGgufWorker(env, info[0].As<Napi::String>(), max_array);
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
}

// ---- tensor data for a single tensor (sidecars and tests read weights back) ------------------

static Napi::Value ReadGgufTensor(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    std::string path = info[0].As<Napi::String>();
    std::string name = info[1].As<Napi::String>();
    std::string reason = validate_gguf(path);
    if (!reason.empty()) throw_error(env, "BAD_GGUF", path + ": " + reason);
    gguf_init_params params = { /*.no_alloc =*/ true, /*.ctx =*/ nullptr };
    gguf_ptr ctx(gguf_init_from_file(path.c_str(), params));
    int64_t id = gguf_find_tensor(ctx.get(), name.c_str());
    if (id < 0) throw_error(env, "NOT_FOUND", "tensor '" + name + "' not found in " + path);
    size_t n = gguf_get_tensor_size(ctx.get(), id);
    Napi::Buffer<uint8_t> buf = Napi::Buffer<uint8_t>::New(env, n);
    file_ptr f(fopen(path.c_str(), "rb"));
    if (fseeko(f.get(), (off_t) (gguf_get_data_offset(ctx.get()) + gguf_get_tensor_offset(ctx.get(), id)), SEEK_SET) != 0 ||
        fread(buf.Data(), 1, n, f.get()) != n) {
        throw_error(env, "BAD_GGUF", "could not read tensor '" + name + "' from " + path);
    }
    return buf;
}

// ---- writing ------------------------------------------------------------------------------

static gguf_type parse_kv_type(Napi::Env env, const std::string & t) {
    static const std::pair<const char *, gguf_type> types[] = {
        {"u8", GGUF_TYPE_UINT8}, {"i8", GGUF_TYPE_INT8}, {"u16", GGUF_TYPE_UINT16}, {"i16", GGUF_TYPE_INT16},
        {"u32", GGUF_TYPE_UINT32}, {"i32", GGUF_TYPE_INT32}, {"f32", GGUF_TYPE_FLOAT32}, {"u64", GGUF_TYPE_UINT64},
        {"i64", GGUF_TYPE_INT64}, {"f64", GGUF_TYPE_FLOAT64}, {"bool", GGUF_TYPE_BOOL}, {"string", GGUF_TYPE_STRING},
    };
    for (auto & [name, type] : types) if (t == name) return type;
    throw_error(env, "INVALID_ARGUMENT", "unknown GGUF value type '" + t + "'");
}

static size_t scalar_size(gguf_type t) {
    switch (t) {
        case GGUF_TYPE_UINT8: case GGUF_TYPE_INT8: case GGUF_TYPE_BOOL: return 1;
        case GGUF_TYPE_UINT16: case GGUF_TYPE_INT16: return 2;
        case GGUF_TYPE_UINT32: case GGUF_TYPE_INT32: case GGUF_TYPE_FLOAT32: return 4;
        default: return 8;
    }
}

static void set_kv(Napi::Env env, gguf_context * ctx, const std::string & key, const std::string & type, Napi::Value v) {
    bool is_array = type.size() > 2 && type.rfind("[]") == type.size() - 2;
    gguf_type t = parse_kv_type(env, is_array ? type.substr(0, type.size() - 2) : type);
    if (is_array) {
        Napi::Array arr = v.As<Napi::Array>();
        uint32_t n = arr.Length();
        if (t == GGUF_TYPE_STRING) {
            std::vector<std::string> strs(n);
            std::vector<const char *> ptrs(n);
            for (uint32_t i = 0; i < n; ++i) { strs[i] = arr.Get(i).As<Napi::String>(); ptrs[i] = strs[i].c_str(); }
            gguf_set_arr_str(ctx, key.c_str(), ptrs.data(), n);
            return;
        }
        std::vector<uint8_t> data(n * scalar_size(t));
        for (uint32_t i = 0; i < n; ++i) {
            double x = arr.Get(i).IsBoolean() ? (arr.Get(i).As<Napi::Boolean>() ? 1 : 0) : arr.Get(i).As<Napi::Number>().DoubleValue();
            void * p = data.data() + i * scalar_size(t);
            switch (t) {
                case GGUF_TYPE_UINT8:   *(uint8_t *) p = (uint8_t) x; break;
                case GGUF_TYPE_INT8:    *(int8_t *) p = (int8_t) x; break;
                case GGUF_TYPE_UINT16:  *(uint16_t *) p = (uint16_t) x; break;
                case GGUF_TYPE_INT16:   *(int16_t *) p = (int16_t) x; break;
                case GGUF_TYPE_UINT32:  *(uint32_t *) p = (uint32_t) x; break;
                case GGUF_TYPE_INT32:   *(int32_t *) p = (int32_t) x; break;
                case GGUF_TYPE_FLOAT32: *(float *) p = (float) x; break;
                case GGUF_TYPE_UINT64:  *(uint64_t *) p = (uint64_t) x; break;
                case GGUF_TYPE_INT64:   *(int64_t *) p = (int64_t) x; break;
                case GGUF_TYPE_FLOAT64: *(double *) p = x; break;
                case GGUF_TYPE_BOOL:    *(int8_t *) p = x != 0; break;
                default: break;
            }
        }
        gguf_set_arr_data(ctx, key.c_str(), t, data.data(), n);
        return;
    }
    switch (t) {
        case GGUF_TYPE_STRING:  gguf_set_val_str(ctx, key.c_str(), v.As<Napi::String>().Utf8Value().c_str()); break;
        case GGUF_TYPE_BOOL:    gguf_set_val_bool(ctx, key.c_str(), v.As<Napi::Boolean>()); break;
        case GGUF_TYPE_UINT8:   gguf_set_val_u8(ctx, key.c_str(), (uint8_t) v.As<Napi::Number>().Uint32Value()); break;
        case GGUF_TYPE_INT8:    gguf_set_val_i8(ctx, key.c_str(), (int8_t) v.As<Napi::Number>().Int32Value()); break;
        case GGUF_TYPE_UINT16:  gguf_set_val_u16(ctx, key.c_str(), (uint16_t) v.As<Napi::Number>().Uint32Value()); break;
        case GGUF_TYPE_INT16:   gguf_set_val_i16(ctx, key.c_str(), (int16_t) v.As<Napi::Number>().Int32Value()); break;
        case GGUF_TYPE_UINT32:  gguf_set_val_u32(ctx, key.c_str(), v.As<Napi::Number>().Uint32Value()); break;
        case GGUF_TYPE_INT32:   gguf_set_val_i32(ctx, key.c_str(), v.As<Napi::Number>().Int32Value()); break;
        case GGUF_TYPE_FLOAT32: gguf_set_val_f32(ctx, key.c_str(), v.As<Napi::Number>().FloatValue()); break;
        case GGUF_TYPE_UINT64:  gguf_set_val_u64(ctx, key.c_str(), (uint64_t) v.As<Napi::Number>().Int64Value()); break;
        case GGUF_TYPE_INT64:   gguf_set_val_i64(ctx, key.c_str(), v.As<Napi::Number>().Int64Value()); break;
        case GGUF_TYPE_FLOAT64: gguf_set_val_f64(ctx, key.c_str(), v.As<Napi::Number>().DoubleValue()); break;
        default: break;
    }
}

// Writes a GGUF from JS: metadata [{key, type, value}] and f32/f16 tensors [{name, shape, type, data: Float32Array}].
// Written to a temporary file and renamed, so a killed process never leaves a half-written file behind.
static Napi::Value WriteGguf(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    std::string path = info[0].As<Napi::String>();
    Napi::Array kvs = info[1].As<Napi::Array>();
    Napi::Array tensors = info[2].As<Napi::Array>();

    gguf_ptr gctx(gguf_init_empty());
    for (uint32_t i = 0; i < kvs.Length(); ++i) {
        Napi::Object kv = kvs.Get(i).As<Napi::Object>();
        set_kv(env, gctx.get(), kv.Get("key").As<Napi::String>(), kv.Get("type").As<Napi::String>(), kv.Get("value"));
    }
    ggml_init_params ip = { /*.mem_size =*/ ggml_tensor_overhead() * (tensors.Length() + 1), /*.mem_buffer =*/ nullptr, /*.no_alloc =*/ true };
    ggml_ptr mctx(ggml_init(ip));
    std::vector<std::vector<uint8_t>> datas(tensors.Length());
    for (uint32_t i = 0; i < tensors.Length(); ++i) {
        Napi::Object t = tensors.Get(i).As<Napi::Object>();
        std::string name = t.Get("name").As<Napi::String>();
        Napi::Array shape = t.Get("shape").As<Napi::Array>();
        std::string type = t.Get("type").IsString() ? t.Get("type").As<Napi::String>().Utf8Value() : "f32";
        Napi::Float32Array data = t.Get("data").As<Napi::Float32Array>();
        int64_t ne[GGML_MAX_DIMS] = {1, 1, 1, 1};
        int64_t count = 1;
        if (shape.Length() < 1 || shape.Length() > GGML_MAX_DIMS) throw_error(env, "INVALID_ARGUMENT", "tensor '" + name + "': 1 to 4 dimensions");
        for (uint32_t d = 0; d < shape.Length(); ++d) { ne[d] = shape.Get(d).As<Napi::Number>().Int64Value(); count *= ne[d]; }
        if ((int64_t) data.ElementLength() != count) throw_error(env, "INVALID_ARGUMENT", "tensor '" + name + "': data length does not match its shape");
        ggml_type gt = type == "f16" ? GGML_TYPE_F16 : GGML_TYPE_F32;
        ggml_tensor * tensor = ggml_new_tensor(mctx.get(), gt, (int) shape.Length(), ne);
        ggml_set_name(tensor, name.c_str());
        datas[i].resize(ggml_nbytes(tensor));
        if (gt == GGML_TYPE_F16) ggml_fp32_to_fp16_row(data.Data(), (ggml_fp16_t *) datas[i].data(), count);
        else memcpy(datas[i].data(), data.Data(), datas[i].size());
        tensor->data = datas[i].data();
        gguf_add_tensor(gctx.get(), tensor);
    }
    std::string tmp = path + ".tmp";
    if (!gguf_write_to_file(gctx.get(), tmp.c_str(), false)) {
        std::remove(tmp.c_str());
        throw_error(env, "IO", "could not write " + path);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw_error(env, "IO", "could not rename " + tmp + " to " + path);
    return env.Undefined();
}

// ---- a randomly initialised llama-architecture model with a real tokenizer ---------------------

struct MakeModelOptions {
    std::string out, vocab, name;
    int64_t n_embd = 256, n_layer = 4, n_head = 4, n_head_kv = 4, n_ff = 768, n_ctx = 2048;
    uint64_t seed = 42;
    bool f16 = false;
    float init_std = 0.02f;
};

class MakeModelWorker : public Napi::AsyncWorker {
  public:
    MakeModelWorker(Napi::Env env, MakeModelOptions o) : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), o(std::move(o)) {}
    Napi::Promise promise() { return deferred.Promise(); }

    void Execute() override {
        gguf_init_params vp = { /*.no_alloc =*/ true, /*.ctx =*/ nullptr };
        gguf_ptr vocab(gguf_init_from_file(o.vocab.c_str(), vp));
        if (!vocab) { SetError("could not read vocabulary GGUF " + o.vocab); return; }
        int64_t tok_id = gguf_find_key(vocab.get(), "tokenizer.ggml.tokens");
        if (tok_id < 0) { SetError(o.vocab + " has no tokenizer.ggml.tokens"); return; }
        const int64_t n_vocab = (int64_t) gguf_get_arr_n(vocab.get(), tok_id);
        if (o.n_embd % o.n_head != 0 || o.n_head % o.n_head_kv != 0) { SetError("n_embd must divide by n_head and n_head by n_head_kv"); return; }

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
        if (!f) { SetError("could not write " + o.out); return; }
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
        if (ferror(f.get())) { SetError("write failed for " + o.out); return; }
        f.reset();
        if (std::rename(tmp.c_str(), o.out.c_str()) != 0) { SetError("could not rename " + tmp); return; }
        n_params = 0;
        for (auto * t : ts) n_params += ggml_nelements(t);
    }

    void OnOK() override {
        Napi::Object r = Napi::Object::New(Env());
        r.Set("path", o.out);
        r.Set("parameters", (double) n_params);
        deferred.Resolve(r);
    }
    void OnError(const Napi::Error & e) override {
        Napi::Error err = make_error(Env(), "MAKE_MODEL", e.Message());
        deferred.Reject(err.Value());
    }

  private:
    Napi::Promise::Deferred deferred;
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
    auto * w = new MakeModelWorker(env, o);
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
}

// ---- quantize (llama.cpp's quantizer) ------------------------------------------------------

class QuantizeWorker : public Napi::AsyncWorker {
  public:
    QuantizeWorker(Napi::Env env, std::string in, std::string out, llama_ftype ftype, int threads)
        : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), in(std::move(in)), out(std::move(out)), ftype(ftype), threads(threads) {}
    Napi::Promise promise() { return deferred.Promise(); }
    void Execute() override {
        std::string why = validate_gguf(in);
        if (!why.empty()) { SetError(in + ": " + why); return; }
        llama_model_quantize_params p = llama_model_quantize_default_params();
        p.ftype = ftype;
        p.nthread = threads;
        log_capture_begin();
        uint32_t rc = llama_model_quantize(in.c_str(), out.c_str(), &p);
        std::string reason = log_capture_end();
        if (rc != 0) SetError("quantization failed" + (reason.empty() ? std::string() : ": " + reason));
    }
    void OnOK() override { deferred.Resolve(Napi::String::New(Env(), out)); }
    void OnError(const Napi::Error & e) override { deferred.Reject(make_error(Env(), "QUANTIZE", e.Message()).Value()); }

  private:
    Napi::Promise::Deferred deferred;
    std::string in, out;
    llama_ftype ftype;
    int threads;
};

static Napi::Value Quantize(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    std::string type = info[2].As<Napi::String>();
    llama_ftype ftype;
    if (type == "q8_0") ftype = LLAMA_FTYPE_MOSTLY_Q8_0;
    else if (type == "q4_0") ftype = LLAMA_FTYPE_MOSTLY_Q4_0;
    else if (type == "f16") ftype = LLAMA_FTYPE_MOSTLY_F16;
    else throw_error(env, "INVALID_ARGUMENT", "quantize: type must be q8_0, q4_0 or f16 (got '" + type + "')");
    int threads = info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : 0;
    auto * w = new QuantizeWorker(env, info[0].As<Napi::String>(), info[1].As<Napi::String>(), ftype, threads);
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
}

void init_gguf_io(Napi::Env env, Napi::Object exports) {
    exports.Set("readGguf", Napi::Function::New(env, ReadGguf));
    exports.Set("readGgufTensor", Napi::Function::New(env, ReadGgufTensor));
    exports.Set("writeGguf", Napi::Function::New(env, WriteGguf));
    exports.Set("makeModel", Napi::Function::New(env, MakeModel));
    exports.Set("quantize", Napi::Function::New(env, Quantize));
}

} // namespace cogito
