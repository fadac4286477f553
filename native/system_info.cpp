// systemInfo(): the backends ggml registered, the CPU kernels this build compiled in, and how it was built.
#include "system_info.h"

#include "common.h"

#include "cogito_build_info.h"

#include "ggml-backend.h"
#include "ggml-cpu.h"
#include "ggml.h"
#include "llama.h"

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

// ggml-cpu's getters: which kernels were compiled in (most are compile-time checks; the ARM ones
// also ask the CPU). The same list ggml_backend_cpu_get_features reports, as booleans.
static Napi::Object cpu_features(Napi::Env env) {
    struct Feature { const char * name; int (*has)(void); };
    static const Feature features[] = {
        { "SSE3", ggml_cpu_has_sse3 },         { "SSSE3", ggml_cpu_has_ssse3 },
        { "AVX", ggml_cpu_has_avx },           { "AVX_VNNI", ggml_cpu_has_avx_vnni },
        { "AVX2", ggml_cpu_has_avx2 },         { "BMI2", ggml_cpu_has_bmi2 },
        { "F16C", ggml_cpu_has_f16c },         { "FMA", ggml_cpu_has_fma },
        { "AVX512", ggml_cpu_has_avx512 },     { "AVX512_VBMI", ggml_cpu_has_avx512_vbmi },
        { "AVX512_VNNI", ggml_cpu_has_avx512_vnni }, { "AVX512_BF16", ggml_cpu_has_avx512_bf16 },
        { "AMX_INT8", ggml_cpu_has_amx_int8 }, { "NEON", ggml_cpu_has_neon },
        { "ARM_FMA", ggml_cpu_has_arm_fma },   { "FP16_VA", ggml_cpu_has_fp16_va },
        { "DOTPROD", ggml_cpu_has_dotprod },   { "MATMUL_INT8", ggml_cpu_has_matmul_int8 },
        { "SVE", ggml_cpu_has_sve },           { "SME", ggml_cpu_has_sme },
        { "RISCV_V", ggml_cpu_has_riscv_v },   { "VSX", ggml_cpu_has_vsx },
        { "VXE", ggml_cpu_has_vxe },           { "WASM_SIMD", ggml_cpu_has_wasm_simd },
        { "LLAMAFILE", ggml_cpu_has_llamafile },
    };
    Napi::Object o = Napi::Object::New(env);
    for (const Feature & f : features) o.Set(f.name, f.has() != 0);
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
    o.Set("build", build_info(env));
    return o;
}

void init_system_info(Napi::Env env, Napi::Object exports) {
    exports.Set("systemInfo", Napi::Function::New(env, SystemInfo));
}

} // namespace cogito
