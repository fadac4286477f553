// systemInfo(): the backends ggml registered, the CPU kernels running (and the variant loaded, in a
// portable build), and how the addon was built.
#include "system_info.h"

#include "backends.h"
#include "common.h"

#include "cogito_build_info.h"

#include "ggml-backend.h"
#include "ggml.h"
#include "llama.h"

#include <cstring>

namespace cogito {

static const char * device_type_name(enum ggml_backend_dev_type type) {
    switch (type) {
        case GGML_BACKEND_DEVICE_TYPE_CPU:   return "cpu";
        case GGML_BACKEND_DEVICE_TYPE_GPU:   return "gpu";
        case GGML_BACKEND_DEVICE_TYPE_IGPU:  return "igpu";
        case GGML_BACKEND_DEVICE_TYPE_ACCEL: return "accel";
        default:                             return "other";
    }
}

static Napi::Array backends(Napi::Env env) {
    Napi::Array regs = Napi::Array::New(env);
    for (size_t i = 0; i < ggml_backend_reg_count(); i++) {
        ggml_backend_reg_t reg = ggml_backend_reg_get(i);
        Napi::Array devices = Napi::Array::New(env);
        for (size_t j = 0; j < ggml_backend_reg_dev_count(reg); j++) {
            ggml_backend_dev_t dev = ggml_backend_reg_dev_get(reg, j);
            size_t free = 0;
            size_t total = 0;
            ggml_backend_dev_memory(dev, &free, &total);
            Napi::Object d = Napi::Object::New(env);
            d.Set("name", ggml_backend_dev_name(dev));
            d.Set("description", ggml_backend_dev_description(dev));
            d.Set("type", device_type_name(ggml_backend_dev_type(dev)));
            d.Set("memoryFree", static_cast<double>(free));
            d.Set("memoryTotal", static_cast<double>(total));
            devices.Set(static_cast<uint32_t>(j), d);
        }
        Napi::Object r = Napi::Object::New(env);
        r.Set("name", ggml_backend_reg_name(reg));
        r.Set("devices", devices);
        regs.Set(static_cast<uint32_t>(i), r);
    }
    return regs;
}

// The CPU features of the CPU code running: ggml_backend_get_features of the CPU backend (the kernels
// compiled into ggml-cpu, or into the variant a portable build loaded), the list llama.cpp prints,
// as booleans over a fixed set of names so a feature that is off reads false.
static Napi::Object cpu_features(Napi::Env env) {
    static const char * const names[] = {
        "SSE3", "SSSE3", "AVX", "AVX_VNNI", "AVX2", "BMI2", "F16C", "FMA", "AVX512", "AVX512_VBMI",
        "AVX512_VNNI", "AVX512_BF16", "AMX_INT8", "NEON", "ARM_FMA", "FP16_VA", "DOTPROD", "MATMUL_INT8",
        "SVE", "SME", "RISCV_V", "VSX", "VXE", "WASM_SIMD", "LLAMAFILE",
    };
    Napi::Object o = Napi::Object::New(env);
    for (const char * name : names) o.Set(name, false);
    ggml_backend_reg_t reg = cpu_backend_reg();
    auto get_features = reg ? (ggml_backend_get_features_t) ggml_backend_reg_get_proc_address(reg, "ggml_backend_get_features") : nullptr;
    if (!get_features) return o;
    for (ggml_backend_feature * f = get_features(reg); f && f->name; f++) {
        // numbers (SVE_CNT, RVV_VLEN) are sizes, not switches
        if (std::strcmp(f->value, "1") == 0) o.Set(f->name, true);
    }
    return o;
}

// The CPU code loaded: a portable build's variant (its tag, file and score) and the score every
// variant beside the addon gives this CPU; `static` for a build with ggml-cpu linked in.
static Napi::Object cpu_variant_info(Napi::Env env) {
    CpuVariant v = cpu_variant();
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", v.name);
    o.Set("file", v.file);
    o.Set("score", v.score);
    Napi::Array all = Napi::Array::New(env);
    uint32_t i = 0;
    for (const CpuVariantScore & s : cpu_variant_scores()) {
        Napi::Object e = Napi::Object::New(env);
        e.Set("name", s.name);
        e.Set("score", s.score);
        all.Set(i++, e);
    }
    o.Set("candidates", all);
    return o;
}

// The CPU device's extra weight buffers (CPU_REPACK, AMX): the AMX one is there only when the AMX
// kernels are compiled in AND the kernel granted the tile state (ggml requests it through arch_prctl
// when the buffer type is first asked for), so this is what will run, not what was compiled.
static Napi::Array cpu_extra_buffers(Napi::Env env) {
    Napi::Array names = Napi::Array::New(env);
    ggml_backend_dev_t cpu = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
    if (!cpu) return names;
    auto get_extra = (ggml_backend_dev_get_extra_bufts_t)
        ggml_backend_reg_get_proc_address(ggml_backend_dev_backend_reg(cpu), "ggml_backend_dev_get_extra_bufts");
    if (!get_extra) return names;
    uint32_t n = 0;
    for (ggml_backend_buffer_type_t * b = get_extra(cpu); b && *b; b++) names.Set(n++, ggml_backend_buft_name(*b));
    return names;
}

static Napi::Object build_info(Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("gpu", COGITO_GPU);
    o.Set("portable", COGITO_BUILD_PORTABLE != 0);
    o.Set("amx", COGITO_BUILD_AMX != 0);
    o.Set("amxReason", COGITO_BUILD_AMX_REASON);
    o.Set("llamaTag", COGITO_BUILD_LLAMA_TAG);
    o.Set("ggmlVersion", ggml_version());
    o.Set("ggmlCommit", ggml_commit());
    return o;
}

static Napi::Value SystemInfo(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (info.Length() != 0) throw_error(env, "INVALID_ARGUMENT", "systemInfo takes no arguments");
    Napi::Object o = Napi::Object::New(env);
    o.Set("llama", llama_print_system_info());
    o.Set("gpu", COGITO_GPU);
    o.Set("supportsGpuOffload", llama_supports_gpu_offload());
    o.Set("backends", backends(env));
    o.Set("cpuFeatures", cpu_features(env));
    o.Set("cpuExtraBuffers", cpu_extra_buffers(env));
    o.Set("cpuVariant", cpu_variant_info(env));
    o.Set("build", build_info(env));
    return o;
}

void init_system_info(Napi::Env env, Napi::Object exports) {
    exports.Set("systemInfo", Napi::Function::New(env, SystemInfo));
}

} // namespace cogito
