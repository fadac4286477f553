#include "model.h"

#include <algorithm>
#include <stdexcept>
#include "common.h"
#include "gguf_io.h"

#include <atomic>
#include <sys/stat.h>
#include <vector>

namespace cogito {

Napi::FunctionReference Model::constructor;

Napi::Object Model::Init(Napi::Env env, Napi::Object exports) {
    Napi::Function fn = DefineClass(env, "Model", {
        InstanceMethod("info", &Model::Info),
        InstanceMethod("tokenize", &Model::Tokenize),
        InstanceMethod("detokenize", &Model::Detokenize),
        InstanceMethod("tokenPiece", &Model::TokenPiece),
        InstanceMethod("isEog", &Model::IsEog),
        InstanceMethod("applyChatTemplate", &Model::ApplyChatTemplate),
        InstanceMethod("dispose", &Model::Dispose),
    });
    constructor = Napi::Persistent(fn);
    constructor.SuppressDestruct();
    exports.Set("Model", fn);
    exports.Set("loadModel", Napi::Function::New(env, LoadModel));
    return exports;
}

Model::Model(const Napi::CallbackInfo & info) : Napi::ObjectWrap<Model>(info) {}

Model::~Model() {
    if (model) llama_model_free(model);
}

llama_model * Model::get(Napi::Env env) const {
    if (!model) throw_error(env, "DISPOSED", "the model has been disposed");
    return model;
}

Napi::Value Model::Info(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    llama_model * m = get(env);
    Napi::Object o = Napi::Object::New(env);
    char buf[512];
    llama_model_meta_val_str(m, "general.architecture", buf, sizeof(buf));
    o.Set("architecture", std::string(buf));
    if (llama_model_meta_val_str(m, "general.name", buf, sizeof(buf)) >= 0) o.Set("name", std::string(buf));
    llama_model_desc(m, buf, sizeof(buf));
    o.Set("description", std::string(buf));
    o.Set("layers", llama_model_n_layer(m));
    o.Set("embeddingSize", llama_model_n_embd(m));
    o.Set("heads", llama_model_n_head(m));
    o.Set("headsKv", llama_model_n_head_kv(m));
    o.Set("trainContextSize", llama_model_n_ctx_train(m));
    o.Set("vocabSize", llama_vocab_n_tokens(vocab()));
    o.Set("parameters", (double) llama_model_n_params(m));
    o.Set("modelSize", (double) llama_model_size(m));
    o.Set("fileSize", (double) file_size);
    o.Set("fingerprint", fingerprint);
    o.Set("path", path);
    const char * tmpl = llama_model_chat_template(m, nullptr);
    o.Set("chatTemplate", tmpl ? Napi::Value(Napi::String::New(env, tmpl)) : env.Null());
    o.Set("bos", llama_vocab_bos(vocab()));
    o.Set("eos", llama_vocab_eos(vocab()));
    o.Set("addBos", llama_vocab_get_add_bos(vocab()));
    return o;
}

// tokenize(text, addSpecial, parseSpecial) -> Int32Array
Napi::Value Model::Tokenize(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    std::string text = info[0].As<Napi::String>();
    bool add_special = info[1].As<Napi::Boolean>();
    bool parse_special = info[2].As<Napi::Boolean>();
    // llama.cpp's SPM byte fallback looks a byte's token up with unordered_map::at: a vocabulary
    // without <0xXX> tokens (tinystories-656k's, converted) throws std::out_of_range on a character it
    // cannot spell, which would end the process if it left this function
    std::vector<llama_token> tokens;
    try {
        int32_t n = -llama_tokenize(vocab(), text.data(), (int32_t) text.size(), nullptr, 0, add_special, parse_special);
        if (n < 0) n = 0; // an empty input returns 0
        tokens.resize(n);
        if (n > 0 && llama_tokenize(vocab(), text.data(), (int32_t) text.size(), tokens.data(), n, add_special, parse_special) < 0) {
            throw_error(env, "TOKENIZE", "tokenization failed");
        }
    } catch (const std::out_of_range &) {
        throw_error(env, "TOKENIZE", "the vocabulary cannot spell this text: a character is not in it and it has no byte token to fall back on");
    }
    Napi::Int32Array out = Napi::Int32Array::New(env, tokens.size());
    std::copy(tokens.begin(), tokens.end(), out.Data());
    return out;
}

// detokenize(Int32Array, removeSpecial, unparseSpecial) -> string
Napi::Value Model::Detokenize(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    Napi::Int32Array toks = info[0].As<Napi::Int32Array>();
    bool remove_special = info[1].As<Napi::Boolean>();
    bool unparse_special = info[2].As<Napi::Boolean>();
    const int32_t n_vocab = llama_vocab_n_tokens(vocab());
    for (size_t i = 0; i < toks.ElementLength(); ++i) {
        if (toks[i] < 0 || toks[i] >= n_vocab) throw_error(env, "INVALID_ARGUMENT", "token id " + std::to_string(toks[i]) + " is outside the vocabulary");
    }
    std::vector<char> buf(toks.ElementLength() * 8 + 16);
    int32_t n = llama_detokenize(vocab(), toks.Data(), (int32_t) toks.ElementLength(), buf.data(), (int32_t) buf.size(), remove_special, unparse_special);
    if (n < 0) {
        buf.resize(-n);
        n = llama_detokenize(vocab(), toks.Data(), (int32_t) toks.ElementLength(), buf.data(), (int32_t) buf.size(), remove_special, unparse_special);
    }
    return Napi::String::New(env, buf.data(), n);
}

// tokenPiece(id, special) -> Buffer (raw bytes: a character may span several tokens)
Napi::Value Model::TokenPiece(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    get(env);
    int32_t id = info[0].As<Napi::Number>().Int32Value();
    bool special = info[1].IsBoolean() && info[1].As<Napi::Boolean>();
    if (id < 0 || id >= llama_vocab_n_tokens(vocab())) throw_error(env, "INVALID_ARGUMENT", "token id " + std::to_string(id) + " is outside the vocabulary");
    char buf[256];
    int32_t n = llama_token_to_piece(vocab(), id, buf, sizeof(buf), 0, special);
    if (n < 0) {
        std::vector<char> big(-n);
        n = llama_token_to_piece(vocab(), id, big.data(), (int32_t) big.size(), 0, special);
        return Napi::Buffer<char>::Copy(env, big.data(), n);
    }
    return Napi::Buffer<char>::Copy(env, buf, n);
}

Napi::Value Model::IsEog(const Napi::CallbackInfo & info) {
    get(info.Env());
    return Napi::Boolean::New(info.Env(), llama_vocab_is_eog(vocab(), info[0].As<Napi::Number>().Int32Value()));
}

// applyChatTemplate([{role, content}], addAssistant, template?) -> string
Napi::Value Model::ApplyChatTemplate(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    llama_model * m = get(env);
    Napi::Array msgs = info[0].As<Napi::Array>();
    bool add_ass = info[1].As<Napi::Boolean>();
    std::string tmpl_override = info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : std::string();
    const char * tmpl = tmpl_override.empty() ? llama_model_chat_template(m, nullptr) : tmpl_override.c_str();
    if (!tmpl) throw_error(env, "NO_CHAT_TEMPLATE", "this model has no chat template (tokenizer.chat_template); pass one explicitly");
    std::vector<std::string> roles(msgs.Length()), contents(msgs.Length());
    std::vector<llama_chat_message> chat(msgs.Length());
    for (uint32_t i = 0; i < msgs.Length(); ++i) {
        Napi::Object o = msgs.Get(i).As<Napi::Object>();
        roles[i] = o.Get("role").As<Napi::String>();
        contents[i] = o.Get("content").As<Napi::String>();
        chat[i] = { roles[i].c_str(), contents[i].c_str() };
    }
    size_t total = 0;
    for (auto & c : contents) total += c.size();
    std::vector<char> buf(total * 2 + 1024);
    int32_t n = llama_chat_apply_template(tmpl, chat.data(), chat.size(), add_ass, buf.data(), (int32_t) buf.size());
    if (n < 0) throw_error(env, "CHAT_TEMPLATE", "llama.cpp does not support this chat template");
    if ((size_t) n > buf.size()) {
        buf.resize(n);
        n = llama_chat_apply_template(tmpl, chat.data(), chat.size(), add_ass, buf.data(), (int32_t) buf.size());
    }
    return Napi::String::New(env, buf.data(), n);
}

Napi::Value Model::Dispose(const Napi::CallbackInfo & info) {
    if (model) {
        llama_model_free(model);
        model = nullptr;
        release_freed_memory();
    }
    return info.Env().Undefined();
}

// ---- loading on a worker thread, with progress --------------------------------------------

struct LoadState {
    std::string path;
    int32_t gpu_layers = 0;
    bool use_mmap = true;
    std::atomic<bool> cancel{false};
};

class LoadWorker : public ProgressPromiseWorker<float> {
  public:
    LoadWorker(Napi::Env env, std::string path, int32_t gpu_layers, bool use_mmap, Napi::Function on_progress)
        : ProgressPromiseWorker<float>(env, "BAD_MODEL", on_progress), path(std::move(path)), gpu_layers(gpu_layers), use_mmap(use_mmap) {}
    ~LoadWorker() override {
        if (model) llama_model_free(model);
    }

  private:
    void run(const ExecutionProgress & p) override {
        std::string why = validate_gguf(path);
        if (!why.empty()) throw CodedError(why.rfind("file not found", 0) == 0 ? "ENOENT" : "BAD_GGUF", path + ": " + why);
        struct stat st;
        if (stat(path.c_str(), &st) == 0) file_size = st.st_size;
        fingerprint = fingerprint_gguf(path);
        llama_model_params mp = llama_model_default_params();
        mp.n_gpu_layers = gpu_layers;
        if (!use_mmap) mp.load_mode = LLAMA_LOAD_MODE_NONE;
        const ExecutionProgress * prog = &p;
        mp.progress_callback = [](float f, void * ud) -> bool {
            static_cast<const ExecutionProgress *>(ud)->Send(&f, 1);
            return true;
        };
        mp.progress_callback_user_data = (void *) prog;
        log_capture_begin();
        model = llama_model_load_from_file(path.c_str(), mp);
        std::string reason = log_capture_end();
        if (!model) throw std::runtime_error(path + ": llama.cpp could not load this model" + (reason.empty() ? std::string() : " (" + reason + ")"));
    }

    void OnProgress(const float * data, size_t n) override {
        if (!progress.IsEmpty() && n > 0) progress.Call({Napi::Number::New(Env(), data[n - 1])});
    }

    Napi::Value resolve(Napi::Env) override {
        Napi::Object obj = Model::constructor.New({});
        Model * m = Model::Unwrap(obj);
        m->model = model;
        m->path = path;
        m->fingerprint = fingerprint;
        m->file_size = file_size;
        model = nullptr;
        return obj;
    }

    std::string path;
    int32_t gpu_layers;
    bool use_mmap;
    llama_model * model = nullptr;
    std::string fingerprint;
    int64_t file_size = 0;
};

Napi::Value LoadModel(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString()) throw_error(env, "INVALID_ARGUMENT", "loadModel: path must be a string");
    Napi::Object opts = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
    int32_t gpu_layers = opts.Has("gpuLayers") && opts.Get("gpuLayers").IsNumber() ? opts.Get("gpuLayers").As<Napi::Number>().Int32Value() : 0;
    bool use_mmap = !opts.Has("useMmap") || !opts.Get("useMmap").IsBoolean() || opts.Get("useMmap").As<Napi::Boolean>();
    Napi::Function cb = info[2].IsFunction() ? info[2].As<Napi::Function>() : Napi::Function();
    return (new LoadWorker(env, info[0].As<Napi::String>(), gpu_layers, use_mmap, cb))->queue();
}

} // namespace cogito
