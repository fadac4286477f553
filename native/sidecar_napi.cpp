// The sidecar as JS sees it: loadSidecar(path) → a Sidecar (config, info, encode, tensors,
// dispose), and checkSidecar(metadata, tensors), the same checks for a file about to be written.
#include "sidecar.h"
#include "gguf_io.h"

#include <algorithm>
#include <stdexcept>

namespace cogito {

Napi::FunctionReference Sidecar::constructor;

static Napi::Value LoadSidecar(const Napi::CallbackInfo & info);
static Napi::Value CheckSidecar(const Napi::CallbackInfo & info);

Napi::Object Sidecar::Init(Napi::Env env, Napi::Object exports) {
    Napi::Function fn = DefineClass(env, "Sidecar", {
        InstanceMethod("config", &Sidecar::Config),
        InstanceMethod("info", &Sidecar::Info),
        InstanceMethod("encode", &Sidecar::Encode),
        InstanceMethod("tensors", &Sidecar::Tensors),
        InstanceMethod("dispose", &Sidecar::Dispose),
    });
    constructor = Napi::Persistent(fn);
    constructor.SuppressDestruct();
    exports.Set("Sidecar", fn);
    exports.Set("loadSidecar", Napi::Function::New(env, LoadSidecar));
    exports.Set("checkSidecar", Napi::Function::New(env, CheckSidecar));
    init_probes(env, exports);
    return exports;
}

Sidecar::Sidecar(const Napi::CallbackInfo & info) : Napi::ObjectWrap<Sidecar>(info) {}

const SidecarModel * Sidecar::get(Napi::Env env) const {
    if (!m) throw_error(env, "DISPOSED", "the sidecar has been disposed");
    return m.get();
}

Sidecar * unwrap_sidecar(Napi::Env env, Napi::Value v, const char * fn) {
    if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(Sidecar::constructor.Value())) {
        throw_error(env, "INVALID_ARGUMENT", std::string(fn) + ": the first argument must be a sidecar");
    }
    return Sidecar::Unwrap(v.As<Napi::Object>());
}

static Napi::Float32Array to_f32(Napi::Env env, const std::vector<float> & v) {
    Napi::Float32Array a = Napi::Float32Array::New(env, v.size());
    std::copy(v.begin(), v.end(), a.Data());
    return a;
}

static Napi::Array int_array(Napi::Env env, const std::vector<int32_t> & v) {
    Napi::Array a = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); ++i) a.Set((uint32_t) i, v[i]);
    return a;
}

// config() -> the SidecarConfig of src/sidecar/format.ts, as the file holds it
Napi::Value Sidecar::Config(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const SidecarConfig & c = get(env)->cfg;
    Napi::Object o = Napi::Object::New(env);
    o.Set("kind", c.kind);
    o.Set("version", c.version);
    Napi::Object base = Napi::Object::New(env);
    base.Set("fingerprint", c.base_fingerprint);
    base.Set("architecture", c.base_architecture);
    base.Set("nEmbd", c.n_embd);
    base.Set("nLayer", c.n_layer);
    o.Set("base", base);
    Napi::Object enc = Napi::Object::New(env);
    enc.Set("type", c.encoder_name());
    enc.Set("nTokens", c.n_tokens);
    enc.Set("heads", c.enc_heads);
    enc.Set("ff", c.enc_ff);
    o.Set("encoder", enc);
    o.Set("targetLayers", int_array(env, c.target_layers));
    o.Set("injectLayers", int_array(env, c.inject_layers));
    o.Set("bottleneck", c.bottleneck);
    o.Set("heads", c.heads);
    o.Set("gateInit", c.gate_init);
    o.Set("rmsEps", c.rms_eps);
    o.Set("refusal", c.refusal);
    Napi::Object agc = Napi::Object::New(env);
    agc.Set("floor", c.agc_floor);
    agc.Set("tau", c.agc_tau);
    o.Set("agc", agc);
    o.Set("threshold", c.threshold);
    if (!c.gating.empty()) o.Set("gating", c.gating);
    return o;
}

// info() -> {version, outputFeatures, encoder, nEmbd, nLayer, nTokens, targetLayers, injectLayers, bottleneck, heads, agc: {floor, tau},
//            encoderGates, injectionGates}
Napi::Value Sidecar::Info(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const SidecarModel * s = get(env);
    Napi::Object o = Napi::Object::New(env);
    o.Set("version", s->cfg.version);
    o.Set("outputFeatures", s->cfg.n_out());
    o.Set("encoder", s->cfg.encoder_name());
    o.Set("nEmbd", s->cfg.n_embd);
    o.Set("nLayer", s->cfg.n_layer);
    o.Set("nTokens", s->cfg.n_tokens);
    o.Set("targetLayers", int_array(env, s->cfg.target_layers));
    o.Set("injectLayers", int_array(env, s->cfg.inject_layers));
    o.Set("bottleneck", s->cfg.bottleneck);
    o.Set("heads", s->cfg.heads);
    Napi::Object agc = Napi::Object::New(env);
    agc.Set("floor", s->cfg.agc_floor);
    agc.Set("tau", s->cfg.agc_tau);
    o.Set("agc", agc);
    o.Set("encoderGates", to_f32(env, SidecarModel::read(s->w.enc_gate)));
    o.Set("injectionGates", to_f32(env, SidecarModel::read(s->w.inj_gate)));
    return o;
}

// tensors() -> [{name, shape, data: Float32Array}]: the current weights, in FORMAT.md order
Napi::Value Sidecar::Tensors(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const SidecarModel * s = get(env);
    const std::vector<TensorSpec> specs = sidecar_tensor_specs(s->cfg);
    Napi::Array out = Napi::Array::New(env, specs.size());
    for (size_t i = 0; i < specs.size(); ++i) {
        Napi::Object t = Napi::Object::New(env);
        t.Set("name", specs[i].name);
        Napi::Array shape = Napi::Array::New(env, specs[i].shape.size());
        for (size_t d = 0; d < specs[i].shape.size(); ++d) shape.Set((uint32_t) d, (double) specs[i].shape[d]);
        t.Set("shape", shape);
        t.Set("data", to_f32(env, SidecarModel::read(ggml_get_tensor(s->ctx.get(), specs[i].name.c_str()))));
        out.Set((uint32_t) i, t);
    }
    return out;
}

class EncodeWorker : public PromiseWorker {
  public:
    EncodeWorker(Napi::Env env, Sidecar * s, std::vector<float> state)
        : PromiseWorker(env, "SIDECAR"), s(s), state(std::move(state)) {
        ref = Napi::Persistent(s->Value());
        s->users++; // not disposed while encoding
    }

  private:
    void run() override { s->m->encode(state, tokens, conf); }
    void finish() override { s->users--; }
    Napi::Value resolve(Napi::Env env) override {
        Napi::Object o = Napi::Object::New(env);
        o.Set("tokens", to_f32(env, tokens));
        o.Set("confidences", to_f32(env, conf));
        return o;
    }

    Napi::ObjectReference ref;
    Sidecar * s;
    std::vector<float> state, tokens, conf;
};

// encode(state: Float32Array of L·E hidden states, then F output features (version 2))
//   -> Promise<{tokens: Float32Array N·E, confidences: Float32Array L}>
Napi::Value Sidecar::Encode(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const SidecarModel * s = get(env);
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
        throw_error(env, "INVALID_ARGUMENT", "encode: the pass-1 state must be a Float32Array");
    }
    Napi::Float32Array h = info[0].As<Napi::Float32Array>();
    const size_t want = (size_t) s->cfg.state_size();
    if (h.ElementLength() != want) {
        throw_error(env, "INVALID_ARGUMENT", "encode: expected " + std::to_string(want) + " floats (" + std::to_string(s->cfg.n_target()) + " layers × " + std::to_string(s->cfg.n_embd) +
            (s->cfg.n_out() > 0 ? " + " + std::to_string(s->cfg.n_out()) + " output features" : std::string()) + "), got " + std::to_string(h.ElementLength()));
    }
    return (new EncodeWorker(env, this, std::vector<float>(h.Data(), h.Data() + h.ElementLength())))->queue();
}

Napi::Value Sidecar::Dispose(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (users > 0) throw_error(env, "BUSY", "the sidecar is in use by a context or an encoding; clear the injection first");
    m.reset();
    return env.Undefined();
}

class LoadSidecarWorker : public PromiseWorker {
  public:
    LoadSidecarWorker(Napi::Env env, std::string path) : PromiseWorker(env, "INVALID_SIDECAR"), path(std::move(path)) {}

  private:
    void run() override {
        try {
            m = std::make_unique<SidecarModel>();
            m->load(path);
        } catch (const std::exception & e) {
            throw std::runtime_error(path + ": " + e.what());
        }
    }
    Napi::Value resolve(Napi::Env) override {
        Napi::Object obj = Sidecar::constructor.New({});
        Sidecar::Unwrap(obj)->m = std::move(m);
        return obj;
    }

    std::string path;
    std::unique_ptr<SidecarModel> m;
};

// loadSidecar(path) -> Promise<Sidecar>; a bad file rejects with code INVALID_SIDECAR and "path: why"
static Napi::Value LoadSidecar(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString()) throw_error(env, "INVALID_ARGUMENT", "loadSidecar: path must be a string");
    return (new LoadSidecarWorker(env, info[0].As<Napi::String>()))->queue();
}

// checkSidecar(metadata: [{key, type, value}], tensors?: [{name, shape, data: Float32Array}])
// Throws INVALID_SIDECAR (the message naming the key or tensor) where loadSidecar would refuse
// the file these make: the writer checks before it writes.
static Napi::Value CheckSidecar(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsArray()) throw_error(env, "INVALID_ARGUMENT", "checkSidecar: metadata must be an array");
    gguf_ptr g(gguf_init_empty());
    Napi::Array kvs = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < kvs.Length(); ++i) {
        Napi::Object kv = kvs.Get(i).As<Napi::Object>();
        gguf_set_kv_js(env, g.get(), kv.Get("key").As<Napi::String>(), kv.Get("type").As<Napi::String>(), kv.Get("value"));
    }
    std::vector<StoredTensor> stored;
    std::vector<Napi::Float32Array> data;
    if (info[1].IsArray()) {
        Napi::Array ts = info[1].As<Napi::Array>();
        for (uint32_t i = 0; i < ts.Length(); ++i) {
            Napi::Object t = ts.Get(i).As<Napi::Object>();
            StoredTensor s = { t.Get("name").As<Napi::String>().Utf8Value(), GGML_TYPE_F32, {1, 1, 1, 1} };
            Napi::Array shape = t.Get("shape").As<Napi::Array>();
            if (shape.Length() < 1 || shape.Length() > GGML_MAX_DIMS) throw_error(env, "INVALID_ARGUMENT", "tensor '" + s.name + "': 1 to 4 dimensions");
            for (uint32_t d = 0; d < shape.Length(); ++d) s.ne[d] = shape.Get(d).As<Napi::Number>().Int64Value();
            if (!t.Get("data").IsTypedArray() || t.Get("data").As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
                throw_error(env, "INVALID_ARGUMENT", "tensor '" + s.name + "': data must be a Float32Array");
            }
            stored.push_back(s);
            data.push_back(t.Get("data").As<Napi::Float32Array>());
        }
    }
    try {
        const SidecarConfig cfg = sidecar_read_config(g.get());
        if (!info[1].IsArray()) return env.Undefined();
        sidecar_check_tensors(cfg, stored);
        for (const TensorSpec & spec : sidecar_tensor_specs(cfg)) {
            size_t k = 0;
            while (stored[k].name != spec.name) ++k;
            int64_t n = 1;
            std::string shape;
            for (int64_t v : spec.shape) {
                n *= v;
                shape += (shape.empty() ? "" : ", ") + std::to_string(v);
            }
            if ((int64_t) data[k].ElementLength() != n) {
                throw std::runtime_error("tensor '" + spec.name + "' has " + std::to_string(data[k].ElementLength()) + " values, expected " + std::to_string(n) + " for [" + shape + "]");
            }
            sidecar_check_finite(spec.name, data[k].Data(), n);
        }
    } catch (const std::runtime_error & e) {
        throw_error(env, "INVALID_SIDECAR", e.what());
    }
    return env.Undefined();
}

} // namespace cogito
