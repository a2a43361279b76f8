// Errors inside the runtime are C++ exceptions; guard() turns them into an nn_status and the
// calling thread's last-error message at the C ABI boundary.
#pragma once

#include "neuronative.h"

#include <exception>
#include <new>
#include <sstream>
#include <string>
#include <utility>

namespace nn::rt {

struct Error : std::exception {
    nn_status status;
    std::string message;
    Error(nn_status s, std::string m) : status(s), message(std::move(m)) {}
    const char* what() const noexcept override { return message.c_str(); }
};

template <class... Parts>
std::string cat(const Parts&... parts) {
    std::ostringstream os;
    os.precision(17);
    (os << ... << parts);
    return os.str();
}

template <class... Parts>
[[noreturn]] void fail(nn_status status, const Parts&... parts) {
    throw Error(status, cat(parts...));
}

template <class... Parts>
[[noreturn]] void invalid(const Parts&... parts) {
    throw Error(NN_ERR_INVALID_ARGUMENT, cat(parts...));
}

// Never throws: if the message cannot be stored, a fixed text stands in.
void set_last_error(std::string message) noexcept;

// Runs body; returns NN_OK or the status of whatever it threw, with "function: message" as the
// thread's last error. Nothing escapes.
template <class Body>
nn_status guard(const char* function, Body&& body) noexcept {
    try {
        set_last_error({});
        body();
        return NN_OK;
    } catch (const Error& e) {
        set_last_error(cat(function, ": ", e.message));
        return e.status;
    } catch (const std::bad_alloc&) {
        set_last_error(cat(function, ": out of memory"));
        return NN_ERR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        set_last_error(cat(function, ": internal error: ", e.what()));
        return NN_ERR_INTERNAL;
    } catch (...) {
        set_last_error(cat(function, ": internal error: unknown exception"));
        return NN_ERR_INTERNAL;
    }
}

} // namespace nn::rt
