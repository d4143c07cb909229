#include "server/store/store.hpp"

namespace tessera::store {

std::string_view to_string(StoreError error) {
  switch (error) {
    case StoreError::not_found:
      return "not found";
    case StoreError::already_exists:
      return "already exists";
    case StoreError::failed_precondition:
      return "failed precondition";
    case StoreError::invalid_page_token:
      return "invalid page token";
    case StoreError::unavailable:
      return "storage unavailable";
  }
  return "unknown storage error";
}

}  // namespace tessera::store
