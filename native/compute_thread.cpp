#include "compute_thread.h"

namespace cogito {

ComputeThread::ComputeThread() : thread([this] { loop(); }) {}

ComputeThread::~ComputeThread() {
    {
        std::lock_guard<std::mutex> lock(mutex);
        stopping = true;
    }
    cv.notify_all();
    thread.join();
}

void ComputeThread::run(const std::function<void()> & work) {
    std::lock_guard<std::mutex> call(call_mutex);
    std::unique_lock<std::mutex> lock(mutex);
    pending = &work;
    done = false;
    failure = nullptr;
    cv.notify_all();
    cv.wait(lock, [this] { return done; });
    if (failure) std::rethrow_exception(failure);
}

void ComputeThread::loop() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
        // a call handed over before the stop still runs: its caller is waiting for it
        cv.wait(lock, [this] { return pending != nullptr || stopping; });
        if (!pending) return;
        const std::function<void()> * work = pending;
        pending = nullptr;
        lock.unlock();
        std::exception_ptr error;
        try {
            (*work)();
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        failure = error;
        done = true;
        cv.notify_all();
    }
}

} // namespace cogito
