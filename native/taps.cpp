#include "taps.h"

#include "ggml-backend.h"
#include "ggml.h"

namespace cogito {

void TapRecorder::configure(int32_t nl, int32_t ne, const std::vector<int32_t> & layers, bool l, bool a, bool m) {
    n_layer = nl;
    n_embd = ne;
    want_last = l;
    want_all = a;
    want_mean = m;
    enabled.assign(nl, 0);
    for (int32_t il : layers) if (il >= 0 && il < nl) enabled[il] = 1;
    tensors.assign(nl, nullptr);
    reset();
}

void TapRecorder::reset() {
    last.assign(n_layer, {});
    all.assign(n_layer, {});
    sum.assign(n_layer, {});
    rows.assign(n_layer, 0);
}

bool TapRecorder::active() const {
    for (char e : enabled) if (e) return true;
    return false;
}

ggml_tensor * TapRecorder::on_build(void * ud, ggml_context * /*ctx*/, ggml_tensor * cur, int32_t il, int32_t /*n_tokens*/, const llama_pos * /*pos*/) {
    auto * self = static_cast<TapRecorder *>(ud);
    if (il < 0 || il >= self->n_layer) return cur;
    if (self->enabled[il]) {
        // keep the layer output alive after the graph runs so it can be read back
        ggml_set_output(cur);
        self->tensors[il] = cur;
    } else {
        self->tensors[il] = nullptr;
    }
    return cur;
}

void TapRecorder::on_computed(void * ud, int32_t /*n_tokens*/, const llama_pos * /*pos*/) {
    auto * self = static_cast<TapRecorder *>(ud);
    std::vector<float> buf;
    for (int32_t il = 0; il < self->n_layer; ++il) {
        ggml_tensor * t = self->tensors[il];
        if (!t || t->type != GGML_TYPE_F32) continue;
        const int64_t ne0 = t->ne[0];
        const int64_t n_rows = t->ne[1];
        if (n_rows <= 0) continue;
        if (self->want_last) {
            self->last[il].resize(ne0);
            ggml_backend_tensor_get(t, self->last[il].data(), (n_rows - 1) * t->nb[1], ne0 * sizeof(float));
        }
        if (self->want_all || self->want_mean) {
            buf.resize(ne0 * n_rows);
            for (int64_t r = 0; r < n_rows; ++r) {
                ggml_backend_tensor_get(t, buf.data() + r * ne0, r * t->nb[1], ne0 * sizeof(float));
            }
            if (self->want_all) self->all[il].insert(self->all[il].end(), buf.begin(), buf.end());
            if (self->want_mean) {
                auto & s = self->sum[il];
                s.resize(ne0, 0.0);
                for (int64_t r = 0; r < n_rows; ++r) for (int64_t k = 0; k < ne0; ++k) s[k] += buf[r * ne0 + k];
            }
            self->rows[il] += n_rows;
        }
        // kept: a reused graph computes into the same tensors without calling on_build
    }
}

} // namespace cogito
