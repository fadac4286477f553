// GGUF reading, writing, model generation and quantization, all through ggml's gguf API.
#pragma once

#include <napi.h>

namespace cogito {

// Checks that a file is a readable GGUF whose tensor data lies within the file.
// Returns an empty string when valid, else the reason.
std::string validate_gguf(const std::string & path);

// Hash of the tensor infos and tensor data: identifies the weights.
std::string fingerprint_gguf(const std::string & path);

void init_gguf_io(Napi::Env env, Napi::Object exports);

} // namespace cogito
