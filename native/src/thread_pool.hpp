// A small persistent pool: run(n, task) calls task(0..n-1) concurrently, task(0) on the caller.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace nn::rt {

class ThreadPool {
public:
    ThreadPool() = default;
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;
    ~ThreadPool();

    // Returns when every task has returned; rethrows the first exception a task threw.
    void run(int n_tasks, const std::function<void(int)>& task);

private:
    void worker_loop(int index);

    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    const std::function<void(int)>* task_ = nullptr;
    uint64_t generation_ = 0;
    int n_tasks_ = 0;
    int pending_ = 0;
    bool stop_ = false;
    std::exception_ptr error_;
};

} // namespace nn::rt
