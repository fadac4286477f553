// Constrained output: GBNF grammars checked before llama.cpp sees them, the grammar sampler, and
// JSON Schema → GBNF through llama.cpp's own converter (common/json-schema-to-grammar.cpp).
#pragma once

#include <napi.h>

#include "llama.h"

#include <string>

namespace cogito {

// A grammar sampler for `text` starting at rule `root`. An invalid grammar throws a JS error with
// code INVALID_GRAMMAR and the parser's reason; llama.cpp is never handed a grammar it would reject.
llama_sampler * make_grammar_sampler(Napi::Env env, const llama_vocab * vocab, const std::string & text, const std::string & root);

// jsonSchemaToGrammar(schemaJson: string): string
void init_grammar(Napi::Env env, Napi::Object exports);

} // namespace cogito
