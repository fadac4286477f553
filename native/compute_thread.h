// A context's own thread for its graph evaluations.
//
// Node would run each async call on whichever libuv worker is free, and ggml's CPU thread pool
// makes the thread that calls llama_decode thread 0 of every graph: a caller that changes from
// token to token starts each graph on a cold core (generation with UV_THREADPOOL_SIZE=1 ran faster).
// Here a context's calls run on one thread of its own, which hands each result straight back to the
// JS thread (a thread-safe function), so a generated token costs two thread wake-ups, as on libuv.
#pragma once

#include <napi.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace cogito {

class ComputeThread;

// One call on a context's thread: its promise; run() on that thread, where a thrown std::exception
// rejects the promise with the job's code (a CodedError with its own); on the JS thread, finish()
// either way, then resolve() builds the value (as PromiseWorker does on libuv, native/common.h).
class ComputeJob {
  public:
    virtual ~ComputeJob() = default;

  protected:
    ComputeJob(Napi::Env env, std::string code) : deferred(Napi::Promise::Deferred::New(env)), code(std::move(code)) {}
    virtual void run() = 0;
    virtual Napi::Value resolve(Napi::Env env) { return env.Undefined(); }
    virtual void finish() {}

  private:
    friend class ComputeThread;
    Napi::Promise::Deferred deferred;
    std::string code;
    std::string error; // what run() threw
    bool failed = false;
};

class ComputeThread {
  public:
    explicit ComputeThread(Napi::Env env);
    ~ComputeThread(); // JS thread: runs what was queued, then stops
    ComputeThread(const ComputeThread &) = delete;
    ComputeThread & operator=(const ComputeThread &) = delete;

    // Queues the job, which it then owns, and returns its promise. JS thread only.
    Napi::Promise submit(ComputeJob * job);

  private:
    static void deliver(Napi::Env env, Napi::Function, ComputeThread * self, ComputeJob * job);
    static void on_env_teardown(void * self);
    void loop();
    void stop();

    using Channel = Napi::TypedThreadSafeFunction<ComputeThread, ComputeJob, deliver>;
    napi_env env;
    Channel channel;       // results back to the JS thread; keeps Node alive only while a job is out
    int in_flight = 0;     // JS thread only
    bool stopped = false;  // JS thread only
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<ComputeJob *> queue;
    bool stopping = false;
    std::thread thread;
};

} // namespace cogito
