// Runs blocking work (database calls) on the worker pool and resumes the calling coroutine on its
// own executor, so the I/O threads never wait on a disk.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tessera::http {

template <class F>
boost::asio::awaitable<std::invoke_result_t<F>> offload(boost::asio::thread_pool& pool, F work) {
  using R = std::invoke_result_t<F>;
  // co_spawn hands results through a default-constructed slot; Result<T,E> has no default, so the
  // value travels in an optional.
  auto result = co_await boost::asio::co_spawn(
      pool,
      [work = std::move(work)]() mutable -> boost::asio::awaitable<std::optional<R>> {
        co_return std::optional<R>(work());
      },
      boost::asio::use_awaitable);
  co_return std::move(*result);
}

}  // namespace tessera::http
