# The multi-node test (multinode_test.cpp): three `tessera serve` processes on one database of the
# throwaway PostgreSQL cluster (tests/support/). RUN_SERIAL: it stops and starts that cluster.
find_package(PostgreSQL REQUIRED)
add_executable(multinode_tests ${CMAKE_CURRENT_LIST_DIR}/multinode_test.cpp)
target_include_directories(multinode_tests
  PRIVATE ${PROJECT_SOURCE_DIR}/tests ${PROJECT_SOURCE_DIR}/include)
target_compile_definitions(multinode_tests PRIVATE TESSERA_BINARY="$<TARGET_FILE:tessera>"
  TESSERA_PG_CLUSTER_SCRIPT="${TESSERA_POSTGRES_CLUSTER_SCRIPT}")
target_link_libraries(multinode_tests PRIVATE
  tessera_verify tessera_jose nlohmann_json::nlohmann_json CURL::libcurl PostgreSQL::PostgreSQL
  GTest::gtest_main Threads::Threads)
add_dependencies(multinode_tests tessera)
gtest_discover_tests(multinode_tests DISCOVERY_TIMEOUT 60
  PROPERTIES LABELS integration TIMEOUT 180 RUN_SERIAL TRUE
             FIXTURES_REQUIRED postgres ENVIRONMENT "${TESSERA_POSTGRES_TEST_ENVIRONMENT}")
