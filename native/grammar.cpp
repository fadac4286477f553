#include "grammar.h"
#include "common.h"

// llama.cpp's grammar parser (src/llama-grammar.h, an internal header of the pinned source): its
// parse() reports a syntax error only on stderr, so the rules are parsed here to get the reason
#include "llama-grammar.h"
// llama.cpp's converter (common/, built as the cogito_json_schema library by CMakeLists.txt)
#include "json-schema-to-grammar.h"
#include "json.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cogito {

// The parser's messages quote the rest of the grammar ("expecting name at <everything after>"):
// keep a short quote of its first line, or say that the grammar ended there
static std::string short_reason(const std::string & what) {
    const size_t at = what.find(" at ");
    if (at == std::string::npos) return what.substr(0, what.find_first_of("\r\n"));
    std::string rest = what.substr(at + 4);
    rest = rest.substr(0, rest.find_first_of("\r\n"));
    if (rest.size() > 40) rest = rest.substr(0, 40) + "...";
    return what.substr(0, at) + " at " + (rest.empty() ? std::string("the end of the grammar") : "'" + rest + "'");
}

// llama.cpp parses groups, and walks rules that start with another rule, by recursion: a grammar
// nested or chained deep enough overflows the stack (100,000 nested groups crash the process).
// These bounds are far beyond any written or converted grammar, and far below what crashes.
constexpr int    MAX_GROUP_DEPTH = 1000;
constexpr size_t MAX_RULES       = 10000;

// The deepest nesting of ( ) groups, outside "literals", [classes] and # comments.
static int group_depth(const std::string & text) {
    int depth = 0, deepest = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (ch == '"' || ch == '[') {
            const char close = ch == '"' ? '"' : ']';
            for (++i; i < text.size() && text[i] != close; ++i) {
                if (text[i] == '\\') ++i;
            }
        } else if (ch == '#') {
            while (i < text.size() && text[i] != '\n' && text[i] != '\r') ++i;
        } else if (ch == '(') {
            deepest = std::max(deepest, ++depth);
        } else if (ch == ')') {
            --depth;
        }
    }
    return deepest;
}

// The checks llama_grammar_parser::parse() makes, with the reason kept instead of printed.
static void check_syntax(Napi::Env env, const llama_vocab * vocab, const std::string & text, const std::string & root) {
    if (group_depth(text) > MAX_GROUP_DEPTH) {
        throw_error(env, "INVALID_GRAMMAR", "invalid GBNF grammar: groups nested more than " + std::to_string(MAX_GROUP_DEPTH) + " deep");
    }
    llama_grammar_parser parser(vocab);
    try {
        const char * pos = text.c_str();
        // leading blank lines and # comments, as parse() skips them
        while (*pos == ' ' || *pos == '\t' || *pos == '\r' || *pos == '\n' || *pos == '#') {
            if (*pos == '#') {
                while (*pos && *pos != '\r' && *pos != '\n') pos++;
            } else {
                pos++;
            }
        }
        while (*pos) pos = parser.parse_rule(pos);
        for (const auto & [name, id] : parser.symbol_ids) {
            if (id >= parser.rules.size() || parser.rules[id].empty()) throw std::runtime_error("undefined rule '" + name + "'");
        }
    } catch (const std::exception & e) {
        throw_error(env, "INVALID_GRAMMAR", "invalid GBNF grammar: " + short_reason(e.what()));
    }
    if (parser.rules.empty()) throw_error(env, "INVALID_GRAMMAR", "invalid GBNF grammar: it has no rules");
    if (parser.rules.size() > MAX_RULES) {
        throw_error(env, "INVALID_GRAMMAR", "invalid GBNF grammar: " + std::to_string(parser.rules.size()) + " rules (repetitions and groups included), more than " + std::to_string(MAX_RULES));
    }
    if (parser.symbol_ids.find(root) == parser.symbol_ids.end()) {
        throw_error(env, "INVALID_GRAMMAR", "invalid GBNF grammar: it has no rule named '" + root + "' to start from");
    }
}

llama_sampler * make_grammar_sampler(Napi::Env env, const llama_vocab * vocab, const std::string & text, const std::string & root) {
    if (text.find('\0') != std::string::npos) throw_error(env, "INVALID_GRAMMAR", "invalid GBNF grammar: it contains a NUL character");
    check_syntax(env, vocab, text, root);
    // what only the grammar's construction checks (left recursion) arrives through llama.cpp's log
    log_capture_begin();
    llama_sampler * s = llama_sampler_init_grammar(vocab, text.c_str(), root.c_str());
    std::string reason = log_capture_end();
    if (!s) throw_error(env, "INVALID_GRAMMAR", "invalid GBNF grammar: " + (reason.empty() ? std::string("llama.cpp rejected it") : reason));
    return s;
}

static Napi::Value JsonSchemaToGrammar(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString()) throw_error(env, "INVALID_ARGUMENT", "jsonSchemaToGrammar expects the schema as a JSON string");
    const std::string text = info[0].As<Napi::String>().Utf8Value();
    std::string grammar;
    try {
        grammar = json_schema_to_grammar(common_json::parse(text), /* force_gbnf */ true);
    } catch (const std::exception & e) {
        // the converter's own messages begin "JSON schema conversion failed:" and list one problem a line
        std::string what = e.what();
        const std::string prefix = "JSON schema conversion failed:";
        while (what.rfind(prefix, 0) == 0) what = what.substr(prefix.size());
        while (!what.empty() && (what[0] == '\n' || what[0] == ' ')) what.erase(0, 1);
        for (auto & ch : what) if (ch == '\n') ch = ';';
        throw_error(env, "INVALID_JSON_SCHEMA", "invalid JSON schema: " + what);
    }
    return Napi::String::New(env, grammar);
}

void init_grammar(Napi::Env env, Napi::Object exports) {
    exports.Set("jsonSchemaToGrammar", Napi::Function::New(env, JsonSchemaToGrammar));
}

} // namespace cogito
