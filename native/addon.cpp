// Entry point of the cogito native addon.
#include <napi.h>

#include "backends.h"
#include "common.h"
#include "context.h"
#include "gguf_io.h"
#include "grammar.h"
#include "meta_learner.h"
#include "model.h"
#include "sidecar.h"
#include "system_info.h"
#include "train.h"

#include "llama.h"

#include <string>

namespace cogito {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
    fix_mmap_threshold();
    install_log_handler();
    // a portable build's CPU backend is a library beside the addon: load it before llama.cpp looks for devices
    std::string no_cpu = load_backends();
    if (!no_cpu.empty()) throw_error(env, "NO_CPU_BACKEND", no_cpu);
    llama_backend_init();
    Model::Init(env, exports);
    Context::Init(env, exports);
    Sidecar::Init(env, exports);
    init_gguf_io(env, exports);
    init_grammar(env, exports);
    init_train(env, exports);
    init_sidecar_train(env, exports);
    init_meta_learner(env, exports);
    init_system_info(env, exports);
    return exports;
}

} // namespace cogito

static Napi::Object InitCogito(Napi::Env env, Napi::Object exports) {
    return cogito::Init(env, exports);
}

NODE_API_MODULE(cogito_addon, InitCogito)
