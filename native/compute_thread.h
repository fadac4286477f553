// A context's own thread for its graph evaluations.
//
// Node runs each async call on whichever libuv worker is free, and ggml's CPU thread pool makes the
// thread that calls llama_decode thread 0 of every graph: a caller that changes from token to
// token starts each graph on a cold core. On 2 cores that cost about 12 % of generation speed
// against llama-bench (q4_0; with UV_THREADPOOL_SIZE=1 the gap closed). The libuv worker of a call
// hands its work to this thread and waits, so one thread always drives a context's decodes.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace cogito {

class ComputeThread {
  public:
    ComputeThread();
    ~ComputeThread(); // runs what was handed over, then stops
    ComputeThread(const ComputeThread &) = delete;
    ComputeThread & operator=(const ComputeThread &) = delete;

    // Runs `work` on this thread and returns when it is done; an exception it throws is rethrown here.
    // Callers are serialized: a second call waits for the first.
    void run(const std::function<void()> & work);

  private:
    void loop();

    std::mutex call_mutex; // one call at a time
    std::mutex mutex;
    std::condition_variable cv;
    const std::function<void()> * pending = nullptr;
    std::exception_ptr failure;
    bool done = false;
    bool stopping = false;
    std::thread thread;
};

} // namespace cogito
