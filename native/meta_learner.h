// The meta-learner's network (docs/meta.md, "Meta-learner"): a signals vector, standardised, through
// one shared SiLU layer to three heads — confidence, route, error type — trained with ggml-opt.
#pragma once

#include <napi.h>

namespace cogito {

// Registers openMetaTrainer, openMetaNet and their classes.
void init_meta_learner(Napi::Env env, Napi::Object exports);

} // namespace cogito
