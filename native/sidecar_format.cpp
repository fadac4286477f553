// Reading and checking a sidecar's metadata and tensor table by the format table. The messages
// are the library's (name the key or tensor, numbers and strings printed as JavaScript prints
// them): this is the one validator, for files read and for files the TypeScript writer makes.
#include "sidecar_format.h"
#include "sidecar_format_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace cogito {

namespace sf = sidecar_format;

// Bounds that keep a corrupted file from asking for absurd allocations.
static const uint32_t MAX_DIM    = 1u << 16;
static const uint32_t MAX_LAYERS = 4096;

[[noreturn]] static void bad(const std::string & msg) { throw std::runtime_error(msg); }

int32_t SidecarConfig::n_out() const { return version >= 2 ? sf::OUTPUT_FEATURES : 0; }

int32_t SidecarConfig::inject_index(int32_t il) const {
    for (size_t j = 0; j < inject_layers.size(); ++j) if (inject_layers[j] == il) return (int32_t) j;
    return -1;
}

const char * SidecarConfig::encoder_name() const { return sf::ENCODERS[(int) encoder]; }

// A number as JavaScript's String(v) prints it.
static std::string js_number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    if (v == 0) return "0";
    char buf[64];
    int p = 1;
    for (; p < 17; ++p) {
        snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    const double a = std::fabs(v);
    if (a >= 1e-6 && a < 1e21) {
        const int exp10 = (int) std::floor(std::log10(a));
        snprintf(buf, sizeof(buf), "%.*f", std::max(0, p - 1 - exp10), v);
        return buf;
    }
    snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
    std::string s = buf;
    const size_t e = s.find('e');
    std::string digits = s.substr(e + 2);
    while (digits.size() > 1 && digits[0] == '0') digits.erase(0, 1);
    return s.substr(0, e) + "e" + s[e + 1] + digits;
}

// A string as JSON.stringify quotes it.
static std::string js_quote(const std::string & s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') { out += '\\'; out += (char) c; }
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (c < 0x20) { char b[8]; snprintf(b, sizeof(b), "\\u%04x", c); out += b; }
        else out += (char) c;
    }
    return out + "\"";
}

static std::string join(const std::vector<int64_t> & v) {
    std::string s;
    for (int64_t x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
    return s;
}

template <size_t N>
static std::string join_names(const char * const (&names)[N], const char * sep) {
    std::string s;
    for (size_t i = 0; i < N; ++i) s += (i ? sep : "") + std::string(names[i]);
    return s;
}

template <size_t N>
static int index_of(const char * const (&names)[N], const std::string & v) {
    for (size_t i = 0; i < N; ++i) if (v == names[i]) return (int) i;
    return -1;
}

// How readGguf names a key's type: "u32", "str", "array<i32>".
static std::string kv_type_name(const gguf_context * g, int64_t id) {
    const gguf_type t = gguf_get_kv_type(g, id);
    if (t == GGUF_TYPE_ARRAY) return std::string("array<") + gguf_type_name(gguf_get_arr_type(g, id)) + ">";
    return gguf_type_name(t);
}

static const char * key(sf::Key k) { return sf::KEYS[k].key; }

// The id of a key present with exactly the table's type (u32 is not i32, f32 is not f64).
static int64_t typed_key(const gguf_context * g, sf::Key k) {
    const int64_t id = gguf_find_key(g, key(k));
    if (id < 0) bad(std::string("missing key '") + key(k) + "'");
    const std::string type = kv_type_name(g, id);
    if (type != sf::KEYS[k].type) bad(std::string("key '") + key(k) + "' is " + type + ", expected " + sf::KEYS[k].type);
    return id;
}

static uint32_t get_u32(const gguf_context * g, sf::Key k) { return gguf_get_val_u32(g, typed_key(g, k)); }
static float get_f32(const gguf_context * g, sf::Key k) { return gguf_get_val_f32(g, typed_key(g, k)); }
static std::string get_str(const gguf_context * g, sf::Key k) { return gguf_get_val_str(g, typed_key(g, k)); }

static std::vector<int64_t> get_i32s(const gguf_context * g, sf::Key k) {
    const int64_t id = typed_key(g, k);
    const size_t n = gguf_get_arr_n(g, id);
    if (n > MAX_LAYERS) bad(std::string("key '") + key(k) + "' has " + std::to_string(n) + " values, far more than any model's layers");
    const auto * d = static_cast<const int32_t *>(gguf_get_arr_data(g, id));
    return std::vector<int64_t>(d, d + n);
}

static void check_version(uint32_t version) {
    for (uint32_t v : sf::VERSIONS) if (v == version) return;
    std::string known;
    const size_t n = sizeof(sf::VERSIONS) / sizeof(sf::VERSIONS[0]);
    for (size_t i = 0; i < n; ++i) known += (i == 0 ? "" : i + 1 == n ? " and " : ", ") + std::to_string(sf::VERSIONS[i]);
    bad(std::string(key(sf::KEY_VERSION)) + ": unsupported sidecar format version " + std::to_string(version) + " (this cogito reads versions " + known + ")");
}

[[noreturn]] static void bad_key(sf::Key k, const std::string & problem) { bad(std::string(key(k)) + ": " + problem); }

static void positive(sf::Key k, uint32_t v, uint32_t max) {
    if (v < 1) bad_key(k, "expected a positive integer, got " + std::to_string(v));
    if (v > max) bad_key(k, std::to_string(v) + " is more than this cogito allows (" + std::to_string(max) + ")");
}

static void within(sf::Key k, float v, double lo, double hi) {
    if (!std::isfinite(v) || v < lo || v > hi) bad_key(k, "expected a number in [" + js_number(lo) + ", " + js_number(hi) + "], got " + js_number(v));
}

static std::vector<int32_t> layer_list(sf::Key k, const std::vector<int64_t> & layers, uint32_t n_layer) {
    if (layers.empty()) bad_key(k, "needs at least one layer");
    for (size_t i = 0; i < layers.size(); ++i) {
        if (layers[i] < 0 || layers[i] >= (int64_t) n_layer) bad_key(k, "layer " + std::to_string(layers[i]) + " is out of range [0, " + std::to_string(n_layer) + ")");
        if (i > 0 && layers[i] <= layers[i - 1]) bad_key(k, "layers must be strictly ascending, got " + std::to_string(layers[i - 1]) + " then " + std::to_string(layers[i]));
    }
    return std::vector<int32_t>(layers.begin(), layers.end());
}

SidecarConfig sidecar_read_config(const gguf_context * g) {
    const std::string architecture = get_str(g, sf::KEY_ARCHITECTURE);
    if (architecture != sf::ARCHITECTURE) {
        bad(std::string("key '") + key(sf::KEY_ARCHITECTURE) + "' is " + js_quote(architecture) + ", not a cogito sidecar (\"" + sf::ARCHITECTURE + "\")");
    }
    // the version first: a newer file should say "unknown version", not "missing key"
    const uint32_t version = get_u32(g, sf::KEY_VERSION);
    check_version(version);

    // every key with its type, in the table's order, then the rules between values
    SidecarConfig c;
    c.version = (int32_t) version;
    c.kind = get_str(g, sf::KEY_KIND);
    c.base_fingerprint = get_str(g, sf::KEY_BASE_FINGERPRINT);
    c.base_architecture = get_str(g, sf::KEY_BASE_ARCHITECTURE);
    const uint32_t n_embd = get_u32(g, sf::KEY_BASE_N_EMBD);
    const uint32_t n_layer = get_u32(g, sf::KEY_BASE_N_LAYER);
    const std::string encoder = get_str(g, sf::KEY_ENCODER_TYPE);
    const uint32_t n_tokens = get_u32(g, sf::KEY_ENCODER_N_TOKENS);
    const uint32_t enc_heads = get_u32(g, sf::KEY_ENCODER_HEADS);
    const uint32_t enc_ff = get_u32(g, sf::KEY_ENCODER_FF);
    const std::vector<int64_t> target = get_i32s(g, sf::KEY_TARGET_LAYERS);
    const std::vector<int64_t> inject = get_i32s(g, sf::KEY_INJECT_LAYERS);
    const uint32_t bottleneck = get_u32(g, sf::KEY_BOTTLENECK);
    const uint32_t heads = get_u32(g, sf::KEY_HEADS);
    c.gate_init = get_f32(g, sf::KEY_GATE_INIT);
    c.rms_eps = get_f32(g, sf::KEY_RMS_EPS);
    c.refusal = get_str(g, sf::KEY_REFUSAL);
    c.agc_floor = get_f32(g, sf::KEY_AGC_FLOOR);
    c.agc_tau = get_f32(g, sf::KEY_AGC_TAU);
    c.threshold = get_f32(g, sf::KEY_THRESHOLD);
    // optional: absent in older files
    if (gguf_find_key(g, key(sf::KEY_GATING)) >= 0) c.gating = get_str(g, sf::KEY_GATING);

    if (index_of(sf::KINDS, c.kind) < 0) bad_key(sf::KEY_KIND, "unknown kind " + js_quote(c.kind) + " (known: " + join_names(sf::KINDS, ", ") + ")");
    if (c.base_fingerprint.empty()) bad_key(sf::KEY_BASE_FINGERPRINT, "must be a non-empty string");
    if (c.base_architecture.empty()) bad_key(sf::KEY_BASE_ARCHITECTURE, "must be a non-empty string");
    positive(sf::KEY_BASE_N_EMBD, n_embd, MAX_DIM);
    positive(sf::KEY_BASE_N_LAYER, n_layer, MAX_LAYERS);
    c.n_embd = (int32_t) n_embd;
    c.n_layer = (int32_t) n_layer;
    c.target_layers = layer_list(sf::KEY_TARGET_LAYERS, target, n_layer);
    c.inject_layers = layer_list(sf::KEY_INJECT_LAYERS, inject, n_layer);

    const int enc = index_of(sf::ENCODERS, encoder);
    if (enc < 0) bad_key(sf::KEY_ENCODER_TYPE, "unknown encoder type " + js_quote(encoder) + " (known: " + join_names(sf::ENCODERS, ", ") + ")");
    c.encoder = (EncoderType) enc;
    positive(sf::KEY_ENCODER_N_TOKENS, n_tokens, MAX_LAYERS);
    if (c.encoder != EncoderType::multi_token && n_tokens != (uint32_t) c.n_target()) {
        bad_key(sf::KEY_ENCODER_N_TOKENS, std::string("a ") + encoder + " encoder has one token per target layer (" + std::to_string(c.n_target()) + "), got " + std::to_string(n_tokens));
    }
    positive(sf::KEY_ENCODER_HEADS, enc_heads, MAX_DIM);
    if (c.encoder == EncoderType::transformer) {
        if (n_embd % enc_heads != 0) bad_key(sf::KEY_ENCODER_HEADS, "n_embd " + std::to_string(n_embd) + " is not divisible by " + std::to_string(enc_heads) + " heads");
        positive(sf::KEY_ENCODER_FF, enc_ff, 4 * MAX_DIM);
    } else {
        if (enc_heads != 1) bad_key(sf::KEY_ENCODER_HEADS, "must be 1 for a " + encoder + " encoder, got " + std::to_string(enc_heads));
        if (enc_ff != 0) bad_key(sf::KEY_ENCODER_FF, "must be 0 for a " + encoder + " encoder, got " + std::to_string(enc_ff));
    }
    c.n_tokens = (int32_t) n_tokens;
    c.enc_heads = (int32_t) enc_heads;
    c.enc_ff = (int32_t) enc_ff;

    positive(sf::KEY_BOTTLENECK, bottleneck, MAX_DIM);
    positive(sf::KEY_HEADS, heads, MAX_DIM);
    if (bottleneck % heads != 0) bad_key(sf::KEY_HEADS, "bottleneck " + std::to_string(bottleneck) + " is not divisible by " + std::to_string(heads) + " heads");
    c.bottleneck = (int32_t) bottleneck;
    c.heads = (int32_t) heads;
    if (!std::isfinite(c.gate_init)) bad_key(sf::KEY_GATE_INIT, "must be finite, got " + js_number(c.gate_init));
    if (!std::isfinite(c.rms_eps) || c.rms_eps <= 0) bad_key(sf::KEY_RMS_EPS, "must be a finite number > 0, got " + js_number(c.rms_eps));
    within(sf::KEY_AGC_FLOOR, c.agc_floor, 0, 1);
    if (!std::isfinite(c.agc_tau) || c.agc_tau <= 0) bad_key(sf::KEY_AGC_TAU, "must be a finite number > 0, got " + js_number(c.agc_tau));
    within(sf::KEY_THRESHOLD, c.threshold, 0, 1);
    if (gguf_find_key(g, key(sf::KEY_GATING)) >= 0 && index_of(sf::GATINGS, c.gating) < 0) {
        bad_key(sf::KEY_GATING, "unknown gating " + js_quote(c.gating) + " (expected one of " + join_names(sf::GATINGS, ", ") + ")");
    }
    return c;
}

std::vector<TensorSpec> sidecar_tensor_specs(const SidecarConfig & c) {
    int64_t dims[sf::DIM_COUNT];
    dims[sf::DIM_E] = c.n_embd;
    dims[sf::DIM_L] = c.n_target();
    dims[sf::DIM_N] = c.n_tokens;
    dims[sf::DIM_J] = c.n_inject();
    dims[sf::DIM_B] = c.bottleneck;
    dims[sf::DIM_F] = c.n_out();
    dims[sf::DIM_FF] = c.enc_ff;
    auto wanted = [&](const sf::TensorEntry & t) {
        return (uint32_t) c.version >= t.since && (t.encoders == 0 || (t.encoders >> (int) c.encoder) & 1u);
    };
    auto spec = [&](const sf::TensorEntry & t, int64_t i) {
        TensorSpec s;
        s.name = t.name;
        const size_t at = s.name.find("{i}");
        if (at != std::string::npos) s.name.replace(at, 3, std::to_string(i));
        for (int d = 0; d < t.n_dims; ++d) s.shape.push_back(dims[t.shape[d]]);
        return s;
    };
    std::vector<TensorSpec> out;
    const size_t n = sizeof(sf::TENSORS) / sizeof(sf::TENSORS[0]);
    for (size_t k = 0; k < n;) {
        const sf::TensorEntry & t = sf::TENSORS[k];
        if (t.each < 0) {
            if (wanted(t)) out.push_back(spec(t, 0));
            ++k;
            continue;
        }
        // consecutive entries with the same `each` repeat together
        size_t end = k;
        while (end < n && sf::TENSORS[end].each == t.each) ++end;
        for (int64_t i = 0; i < dims[t.each]; ++i) {
            for (size_t m = k; m < end; ++m) if (wanted(sf::TENSORS[m])) out.push_back(spec(sf::TENSORS[m], i));
        }
        k = end;
    }
    return out;
}

void sidecar_check_tensors(const SidecarConfig & c, const std::vector<StoredTensor> & stored) {
    const std::vector<TensorSpec> specs = sidecar_tensor_specs(c);
    auto find_spec = [&](const std::string & name) {
        for (const TensorSpec & s : specs) if (s.name == name) return &s;
        return (const TensorSpec *) nullptr;
    };
    for (const StoredTensor & t : stored) {
        if (!find_spec(t.name)) {
            bad("unexpected tensor '" + t.name + "' (not part of a version-" + std::to_string(c.version) + " " + c.encoder_name() + " sidecar)");
        }
    }
    // ggml drops trailing dimensions of size 1 ([E, 1] is stored as [E]): compare without them
    auto trimmed = [](std::vector<int64_t> s) {
        while (s.size() > 1 && s.back() == 1) s.pop_back();
        return s;
    };
    for (const TensorSpec & s : specs) {
        const StoredTensor * t = nullptr;
        for (const StoredTensor & x : stored) if (x.name == s.name) t = &x;
        if (!t) bad("missing tensor '" + s.name + "' [" + join(s.shape) + "]");
        if (t->type != GGML_TYPE_F32) bad("tensor '" + s.name + "' is " + ggml_type_name(t->type) + "; every sidecar tensor is f32");
        const std::vector<int64_t> have = trimmed(std::vector<int64_t>(t->ne, t->ne + GGML_MAX_DIMS));
        if (have != trimmed(s.shape)) bad("tensor '" + s.name + "' has shape [" + join(have) + "], expected [" + join(s.shape) + "]");
    }
}

void sidecar_check_finite(const std::string & name, const float * data, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        if (!std::isfinite(data[i])) bad("tensor '" + name + "' holds a non-finite value (" + js_number(data[i]) + ") at index " + std::to_string(i));
    }
}

} // namespace cogito
