#include "thread_pool.hpp"

namespace nn::rt {

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
}

void ThreadPool::run(int n_tasks, const std::function<void(int)>& task) {
    if (n_tasks <= 1) {
        if (n_tasks == 1) task(0);
        return;
    }
    while (static_cast<int>(threads_.size()) < n_tasks - 1) {
        const int index = static_cast<int>(threads_.size()) + 1;
        threads_.emplace_back([this, index] { worker_loop(index); });
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        task_ = &task;
        n_tasks_ = n_tasks;
        pending_ = n_tasks - 1;
        error_ = nullptr;
        ++generation_;
    }
    wake_.notify_all();
    std::exception_ptr own;
    try {
        task(0);
    } catch (...) {
        own = std::current_exception();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
    if (own) std::rethrow_exception(own);
    if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop(int index) {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        if (index >= n_tasks_) continue;
        const std::function<void(int)>& task = *task_;
        lock.unlock();
        std::exception_ptr error;
        try {
            task(index);
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        if (error && !error_) error_ = error;
        if (--pending_ == 0) done_.notify_one();
    }
}

} // namespace nn::rt
