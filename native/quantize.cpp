// quantize: llama.cpp's own quantizer over a GGUF model (q8_0, q4_0, f16, and the k-quants q4_k_m, q5_k_m, q6_k).
#include "common.h"
#include "gguf_io.h"

#include "llama.h"

#include <stdexcept>
#include <string>

namespace cogito {

class QuantizeWorker : public PromiseWorker {
  public:
    QuantizeWorker(Napi::Env env, std::string in, std::string out, llama_ftype ftype, int threads, bool allow_requantize)
        : PromiseWorker(env, "QUANTIZE"), in(std::move(in)), out(std::move(out)), ftype(ftype), threads(threads), allow_requantize(allow_requantize) {}

  private:
    void run() override {
        std::string why = validate_gguf(in);
        if (!why.empty()) throw std::runtime_error(in + ": " + why);
        llama_model_quantize_params p = llama_model_quantize_default_params();
        p.ftype = ftype;
        p.nthread = threads;
        p.allow_requantize = allow_requantize;
        log_capture_begin();
        uint32_t rc = llama_model_quantize(in.c_str(), out.c_str(), &p);
        std::string reason = log_capture_end();
        if (rc != 0) throw std::runtime_error("quantization failed" + (reason.empty() ? std::string() : ": " + reason));
    }
    Napi::Value resolve(Napi::Env env) override { return Napi::String::New(env, out); }

    std::string in, out;
    llama_ftype ftype;
    int threads;
    bool allow_requantize;
};

// quantize(input, output, type: 'q8_0' | 'q4_0' | 'f16' | 'q4_k_m' | 'q5_k_m' | 'q6_k', threads?, allowRequantize?) -> Promise<output>
static Napi::Value Quantize(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    std::string type = info[2].As<Napi::String>();
    llama_ftype ftype;
    if (type == "q8_0") ftype = LLAMA_FTYPE_MOSTLY_Q8_0;
    else if (type == "q4_0") ftype = LLAMA_FTYPE_MOSTLY_Q4_0;
    else if (type == "f16") ftype = LLAMA_FTYPE_MOSTLY_F16;
    else if (type == "q4_k_m") ftype = LLAMA_FTYPE_MOSTLY_Q4_K_M;
    else if (type == "q5_k_m") ftype = LLAMA_FTYPE_MOSTLY_Q5_K_M;
    else if (type == "q6_k") ftype = LLAMA_FTYPE_MOSTLY_Q6_K;
    else throw_error(env, "INVALID_ARGUMENT", "quantize: type must be q8_0, q4_0, f16, q4_k_m, q5_k_m or q6_k (got '" + type + "')");
    int threads = info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : 0;
    bool allow_requantize = info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value();
    return (new QuantizeWorker(env, info[0].As<Napi::String>(), info[1].As<Napi::String>(), ftype, threads, allow_requantize))->queue();
}

void init_quantize(Napi::Env env, Napi::Object exports) {
    exports.Set("quantize", Napi::Function::New(env, Quantize));
}

} // namespace cogito
