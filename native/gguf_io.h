// GGUF reading and writing through ggml's gguf API (gguf_io.cpp); model generation (model_gen.cpp)
// and quantization (quantize.cpp) register beside them.
#pragma once

#include <napi.h>

#include "gguf.h"

#include <string>

namespace cogito {

// Checks that a file is a readable GGUF whose tensor data lies within the file.
// Returns an empty string when valid, else the reason.
std::string validate_gguf(const std::string & path);

// Hash of the tensor infos and tensor data: identifies the weights.
std::string fingerprint_gguf(const std::string & path);

// Sets one key/value from JS ({key, type: 'u32' | 'string' | 'i32[]' …, value}) on a gguf context.
void gguf_set_kv_js(Napi::Env env, gguf_context * ctx, const std::string & key, const std::string & type, Napi::Value v);

void init_gguf_io(Napi::Env env, Napi::Object exports);
void init_model_gen(Napi::Env env, Napi::Object exports);
void init_quantize(Napi::Env env, Napi::Object exports);

} // namespace cogito
