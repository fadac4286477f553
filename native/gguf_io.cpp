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
class ReadGgufWorker : public PromiseWorker {
  public:
    ReadGgufWorker(Napi::Env env, std::string path, size_t max_array)
        : PromiseWorker(env, "BAD_GGUF"), path(std::move(path)), max_array(max_array) {}

  private:
    void run() override {
        const std::string reason = validate_gguf(path);
        if (!reason.empty()) throw CodedError(reason.rfind("file not found", 0) == 0 ? "ENOENT" : "BAD_GGUF", path + ": " + reason);
        gguf_init_params params = { /*.no_alloc =*/ true, /*.ctx =*/ nullptr };
        ctx.reset(gguf_init_from_file(path.c_str(), params));
        size = file_size(path);
    }

    Napi::Value resolve(Napi::Env env) override {
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
        return out;
    }

    std::string path;
    size_t max_array;
    gguf_ptr ctx;
    int64_t size = 0;
};

static Napi::Value ReadGguf(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString()) throw_error(env, "INVALID_ARGUMENT", "readGguf: path must be a string");
    size_t max_array = info[1].IsNumber() ? (size_t) info[1].As<Napi::Number>().Int64Value() : 64;
    return (new ReadGgufWorker(env, info[0].As<Napi::String>(), max_array))->queue();
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

void gguf_set_kv_js(Napi::Env env, gguf_context * ctx, const std::string & key, const std::string & type, Napi::Value v) {
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
        gguf_set_kv_js(env, gctx.get(), kv.Get("key").As<Napi::String>(), kv.Get("type").As<Napi::String>(), kv.Get("value"));
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

// Writes only a GGUF's header, metadata and tensor table (ggml's documented "meta first, then
// append the data" path), so a converter can stream each tensor's bytes in after it without
// holding the model in memory. tensors: [{name, shape, type: 'f32' | 'f16'}]. Returns where each
// tensor's data goes: {dataOffset, alignment, tensors: [{offset, size}]} (offset from dataOffset).
// Everything gguf_add_tensor would abort on (a duplicate or overlong name, a bad shape) is refused first.
static Napi::Value WriteGgufHeader(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsArray()) {
        throw_error(env, "INVALID_ARGUMENT", "writeGgufHeader(path, metadata[], tensors[])");
    }
    std::string path = info[0].As<Napi::String>();
    Napi::Array kvs = info[1].As<Napi::Array>();
    Napi::Array tensors = info[2].As<Napi::Array>();

    gguf_ptr gctx(gguf_init_empty());
    for (uint32_t i = 0; i < kvs.Length(); ++i) {
        Napi::Object kv = kvs.Get(i).As<Napi::Object>();
        gguf_set_kv_js(env, gctx.get(), kv.Get("key").As<Napi::String>(), kv.Get("type").As<Napi::String>(), kv.Get("value"));
    }
    ggml_init_params ip = { /*.mem_size =*/ ggml_tensor_overhead() * (tensors.Length() + 1), /*.mem_buffer =*/ nullptr, /*.no_alloc =*/ true };
    ggml_ptr mctx(ggml_init(ip));
    for (uint32_t i = 0; i < tensors.Length(); ++i) {
        Napi::Object t = tensors.Get(i).As<Napi::Object>();
        std::string name = t.Get("name").As<Napi::String>();
        if (name.empty() || name.size() >= GGML_MAX_NAME) throw_error(env, "INVALID_ARGUMENT", "tensor name '" + name + "': 1 to " + std::to_string(GGML_MAX_NAME - 1) + " bytes");
        if (gguf_find_tensor(gctx.get(), name.c_str()) >= 0) throw_error(env, "INVALID_ARGUMENT", "duplicate tensor name '" + name + "'");
        Napi::Array shape = t.Get("shape").As<Napi::Array>();
        std::string type = t.Get("type").IsString() ? t.Get("type").As<Napi::String>().Utf8Value() : "f32";
        if (type != "f32" && type != "f16") throw_error(env, "INVALID_ARGUMENT", "tensor '" + name + "': type must be f32 or f16");
        if (shape.Length() < 1 || shape.Length() > GGML_MAX_DIMS) throw_error(env, "INVALID_ARGUMENT", "tensor '" + name + "': 1 to 4 dimensions");
        int64_t ne[GGML_MAX_DIMS] = {1, 1, 1, 1};
        for (uint32_t d = 0; d < shape.Length(); ++d) {
            double v = shape.Get(d).As<Napi::Number>().DoubleValue();
            if (!(v >= 1 && v <= 9007199254740991.0) || v != (double) (int64_t) v) throw_error(env, "INVALID_ARGUMENT", "tensor '" + name + "': dimensions must be positive integers");
            ne[d] = (int64_t) v;
        }
        if (ne[0] > INT64_MAX / ne[1] || ne[0] * ne[1] > INT64_MAX / ne[2] / ne[3] / 4) throw_error(env, "INVALID_ARGUMENT", "tensor '" + name + "': too large");
        ggml_tensor * tensor = ggml_new_tensor(mctx.get(), type == "f16" ? GGML_TYPE_F16 : GGML_TYPE_F32, (int) shape.Length(), ne);
        ggml_set_name(tensor, name.c_str());
        gguf_add_tensor(gctx.get(), tensor);
    }
    if (!gguf_write_to_file(gctx.get(), path.c_str(), /*only_meta =*/ true)) throw_error(env, "MAKE_MODEL", "could not write " + path);

    Napi::Object out = Napi::Object::New(env);
    out.Set("dataOffset", Napi::Number::New(env, (double) gguf_get_meta_size(gctx.get())));
    out.Set("alignment", Napi::Number::New(env, (double) gguf_get_alignment(gctx.get())));
    Napi::Array places = Napi::Array::New(env, tensors.Length());
    for (int64_t i = 0; i < gguf_get_n_tensors(gctx.get()); ++i) {
        Napi::Object p = Napi::Object::New(env);
        p.Set("offset", Napi::Number::New(env, (double) gguf_get_tensor_offset(gctx.get(), i)));
        p.Set("size", Napi::Number::New(env, (double) gguf_get_tensor_size(gctx.get(), i)));
        places.Set((uint32_t) i, p);
    }
    out.Set("tensors", places);
    return out;
}

void init_gguf_io(Napi::Env env, Napi::Object exports) {
    exports.Set("readGguf", Napi::Function::New(env, ReadGguf));
    exports.Set("readGgufTensor", Napi::Function::New(env, ReadGgufTensor));
    exports.Set("writeGguf", Napi::Function::New(env, WriteGguf));
    exports.Set("writeGgufHeader", Napi::Function::New(env, WriteGgufHeader));
    init_model_gen(env, exports);
    init_quantize(env, exports);
}

} // namespace cogito
