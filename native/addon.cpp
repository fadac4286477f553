// Entry point of the cogito native addon.
#include <napi.h>

#include "common.h"
#include "context.h"
#include "gguf_io.h"
#include "grammar.h"
#include "model.h"
#include "sidecar.h"
#include "train.h"

#include "ggml-backend.h"
#include "llama.h"

namespace cogito {

static Napi::Value SystemInfo(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("llama", llama_print_system_info());
    o.Set("gpu", COGITO_GPU);
    o.Set("supportsGpuOffload", llama_supports_gpu_offload());
    return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
    fix_mmap_threshold();
    install_log_handler();
    llama_backend_init();
    Model::Init(env, exports);
    Context::Init(env, exports);
    Sidecar::Init(env, exports);
    init_gguf_io(env, exports);
    init_grammar(env, exports);
    init_train(env, exports);
    init_sidecar_train(env, exports);
    exports.Set("systemInfo", Napi::Function::New(env, SystemInfo));
    return exports;
}

} // namespace cogito

static Napi::Object InitCogito(Napi::Env env, Napi::Object exports) {
    return cogito::Init(env, exports);
}

NODE_API_MODULE(cogito_addon, InitCogito)
