# `cmake --install BUILD --component sdk`: the SDK's public headers and static libraries, an
# exported CMake package (find_package(tessera) -> tessera::jose, ::verify, ::middleware,
# ::client) and pkg-config files (tessera, tessera-verify, tessera-client). Static libraries
# carry their dependencies into the consumer: OpenSSL and libcurl are found again there.
include(CMakePackageConfigHelpers)

set(tessera_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/tessera)

install(TARGETS tessera_jose tessera_net tessera_verify tessera_middleware tessera_client
        EXPORT tesseraTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sdk
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/tessera
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT sdk
        FILES_MATCHING PATTERN "*.hpp")
install(EXPORT tesseraTargets NAMESPACE tessera:: DESTINATION ${tessera_cmake_dir}
        COMPONENT sdk)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tesseraConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/tesseraConfig.cmake
                              INSTALL_DESTINATION ${tessera_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tesseraConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tesseraConfig.cmake
              ${PROJECT_BINARY_DIR}/tesseraConfigVersion.cmake
        DESTINATION ${tessera_cmake_dir} COMPONENT sdk)

# pkg-config: relocatable (paths relative to the .pc file), static link order.
file(RELATIVE_PATH TESSERA_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
function(tessera_pkg_config name description libs)
  set(TESSERA_PC_NAME ${name})
  set(TESSERA_PC_DESCRIPTION ${description})
  set(TESSERA_PC_LIBS ${libs})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/tessera.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/${name}.pc
                 @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${name}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT sdk)
endfunction()
tessera_pkg_config(tessera "tessera C++ SDK: token verification and management client"
                   "-ltessera_client -ltessera_verify -ltessera_net -ltessera_jose")
tessera_pkg_config(tessera-verify "tessera C++ SDK: access-token verification"
                   "-ltessera_verify -ltessera_net -ltessera_jose")
tessera_pkg_config(tessera-client "tessera C++ SDK: management client"
                   "-ltessera_client -ltessera_net")
