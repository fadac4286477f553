// Model: a loaded GGUF model, its vocabulary and its identity.
#pragma once

#include <napi.h>

#include "llama.h"

#include <string>

namespace cogito {

class Model : public Napi::ObjectWrap<Model> {
  public:
    static Napi::Object Init(Napi::Env env, Napi::Object exports);
    static Napi::FunctionReference constructor;

    explicit Model(const Napi::CallbackInfo & info);
    ~Model() override;

    llama_model * get(Napi::Env env) const;
    const llama_vocab * vocab() const { return llama_model_get_vocab(model); }

    // set by the load worker before the JS object is handed out
    llama_model * model = nullptr;
    std::string   path;
    std::string   fingerprint;
    int64_t       file_size = 0;

  private:
    Napi::Value Info(const Napi::CallbackInfo & info);
    Napi::Value Tokenize(const Napi::CallbackInfo & info);
    Napi::Value Detokenize(const Napi::CallbackInfo & info);
    Napi::Value TokenPiece(const Napi::CallbackInfo & info);
    Napi::Value IsEog(const Napi::CallbackInfo & info);
    Napi::Value ApplyChatTemplate(const Napi::CallbackInfo & info);
    Napi::Value Dispose(const Napi::CallbackInfo & info);
};

// loadModel(path, {gpuLayers, useMmap}, onProgress?) -> Promise<Model>
Napi::Value LoadModel(const Napi::CallbackInfo & info);

} // namespace cogito
