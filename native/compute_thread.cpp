#include "compute_thread.h"
#include "common.h"

namespace cogito {

ComputeThread::ComputeThread(Napi::Env e) : env(e) {
    channel = Channel::New(env, "cogito-compute", 0, 1, this);
    channel.Unref(env); // an idle context does not keep the process alive
    // before the environment's own teardown closes the channel (hooks run last-added first), the
    // thread finishes its job and stops: a context left undisposed at exit is not decoding then
    napi_add_env_cleanup_hook(env, on_env_teardown, this);
    thread = std::thread([this] { loop(); });
}

ComputeThread::~ComputeThread() {
    if (stopped) return; // the environment's teardown stopped it
    napi_remove_env_cleanup_hook(env, on_env_teardown, this);
    stop();
}

void ComputeThread::on_env_teardown(void * self) { static_cast<ComputeThread *>(self)->stop(); }

void ComputeThread::stop() {
    stopped = true;
    {
        std::lock_guard<std::mutex> lock(mutex);
        stopping = true;
    }
    cv.notify_all();
    thread.join();
    channel.Release();
}

Napi::Promise ComputeThread::submit(ComputeJob * job) {
    Napi::Promise promise = job->deferred.Promise();
    if (in_flight++ == 0) channel.Ref(env);
    {
        std::lock_guard<std::mutex> lock(mutex);
        queue.push_back(job);
    }
    cv.notify_one();
    return promise;
}

void ComputeThread::loop() {
    for (;;) {
        ComputeJob * job = nullptr;
        {
            std::unique_lock<std::mutex> lock(mutex);
            cv.wait(lock, [this] { return !queue.empty() || stopping; });
            if (queue.empty()) return;
            job = queue.front();
            queue.pop_front();
        }
        job->failed = !run_guarded([job] { job->run(); }, job->code, job->error);
        // fails only once the environment is closing; the job (its references into JS) is then
        // left behind rather than freed off the JS thread
        channel.NonBlockingCall(job);
    }
}

void ComputeThread::deliver(Napi::Env env, Napi::Function, ComputeThread * self, ComputeJob * job) {
    // no environment: it is being torn down with the job's result undelivered; nobody awaits the
    // promise, and the job is left behind as above
    if (static_cast<napi_env>(env) == nullptr) return;
    std::unique_ptr<ComputeJob> owned(job);
    if (--self->in_flight == 0) self->channel.Unref(env);
    job->finish();
    if (job->failed) {
        job->deferred.Reject(make_error(env, job->code, job->error).Value());
        return;
    }
    try {
        job->deferred.Resolve(job->resolve(env));
    } catch (const Napi::Error & e) {
        job->deferred.Reject(e.Value());
    }
}

} // namespace cogito
