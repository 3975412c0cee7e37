# Install script for directory: /work/wt/thru

# Set the install prefix
if(NOT DEFINED CMAKE_INSTALL_PREFIX)
  set(CMAKE_INSTALL_PREFIX "/usr/local")
endif()
string(REGEX REPLACE "/$" "" CMAKE_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")

# Set the install configuration name.
if(NOT DEFINED CMAKE_INSTALL_CONFIG_NAME)
  if(BUILD_TYPE)
    string(REGEX REPLACE "^[^A-Za-z0-9_]+" ""
           CMAKE_INSTALL_CONFIG_NAME "${BUILD_TYPE}")
  else()
    set(CMAKE_INSTALL_CONFIG_NAME "RelWithDebInfo")
  endif()
  message(STATUS "Install configuration: \"${CMAKE_INSTALL_CONFIG_NAME}\"")
endif()

# Set the component getting installed.
if(NOT CMAKE_INSTALL_COMPONENT)
  if(COMPONENT)
    message(STATUS "Install component: \"${COMPONENT}\"")
    set(CMAKE_INSTALL_COMPONENT "${COMPONENT}")
  else()
    set(CMAKE_INSTALL_COMPONENT)
  endif()
endif()

# Install shared libraries without execute permission?
if(NOT DEFINED CMAKE_INSTALL_SO_NO_EXE)
  set(CMAKE_INSTALL_SO_NO_EXE "1")
endif()

# Is this installation the result of a crosscompile?
if(NOT DEFINED CMAKE_CROSSCOMPILING)
  set(CMAKE_CROSSCOMPILING "FALSE")
endif()

# Set default install directory permissions.
if(NOT DEFINED CMAKE_OBJDUMP)
  set(CMAKE_OBJDUMP "/usr/bin/objdump")
endif()

if(NOT CMAKE_INSTALL_LOCAL_ONLY)
  # Include the install script for the subdirectory.
  include("/work/wt/thru/build2/examples/cmake_install.cmake")
endif()

if(NOT CMAKE_INSTALL_LOCAL_ONLY)
  # Include the install script for the subdirectory.
  include("/work/wt/thru/build2/tests/cmake_install.cmake")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  if(EXISTS "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf" AND
     NOT IS_SYMLINK "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf")
    file(RPATH_CHECK
         FILE "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf"
         RPATH "")
  endif()
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/bin" TYPE EXECUTABLE FILES "/work/wt/thru/build2/ltrace-ebpf")
  if(EXISTS "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf" AND
     NOT IS_SYMLINK "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf")
    if(CMAKE_INSTALL_DO_STRIP)
      execute_process(COMMAND "/usr/bin/strip" "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf")
    endif()
  endif()
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/share/ltrace-ebpf/scripts" TYPE FILE FILES
    "/work/wt/thru/scripts/biolatency.lua"
    "/work/wt/thru/scripts/dashboard.lua"
    "/work/wt/thru/scripts/execsnoop.lua"
    "/work/wt/thru/scripts/exitsnoop.lua"
    "/work/wt/thru/scripts/funccount.lua"
    "/work/wt/thru/scripts/funclatency.lua"
    "/work/wt/thru/scripts/grpcsnoop.lua"
    "/work/wt/thru/scripts/httplat.lua"
    "/work/wt/thru/scripts/httpsnoop.lua"
    "/work/wt/thru/scripts/killsnoop.lua"
    "/work/wt/thru/scripts/kopensnoop.lua"
    "/work/wt/thru/scripts/memleak.lua"
    "/work/wt/thru/scripts/offcputime.lua"
    "/work/wt/thru/scripts/opensnoop.lua"
    "/work/wt/thru/scripts/profile.lua"
    "/work/wt/thru/scripts/pycalls.lua"
    "/work/wt/thru/scripts/runqlat.lua"
    "/work/wt/thru/scripts/sslsniff.lua"
    "/work/wt/thru/scripts/stackcount.lua"
    "/work/wt/thru/scripts/syscount.lua"
    "/work/wt/thru/scripts/syslat.lua"
    "/work/wt/thru/scripts/tcpconnect.lua"
    "/work/wt/thru/scripts/tcplife.lua"
    "/work/wt/thru/scripts/tcpstates.lua"
    )
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/share/doc/ltrace-ebpf" TYPE FILE FILES "/work/wt/thru/README.md")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/share/doc/ltrace-ebpf/docs" TYPE FILE FILES
    "/work/wt/thru/docs/architecture.md"
    "/work/wt/thru/docs/benchmarks.md"
    "/work/wt/thru/docs/dashboard.md"
    "/work/wt/thru/docs/exporters.md"
    "/work/wt/thru/docs/http.md"
    "/work/wt/thru/docs/json.md"
    "/work/wt/thru/docs/kernels.md"
    "/work/wt/thru/docs/ltrace.md"
    "/work/wt/thru/docs/lua-aggregates.md"
    "/work/wt/thru/docs/probes-kernel.md"
    "/work/wt/thru/docs/probes.md"
    "/work/wt/thru/docs/scripting.md"
    "/work/wt/thru/docs/stacks.md"
    "/work/wt/thru/docs/tools-b.md"
    "/work/wt/thru/docs/tools.md"
    "/work/wt/thru/docs/web.md"
    )
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/share/man/man1" TYPE FILE FILES "/work/wt/thru/man/ltrace-ebpf.1")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-biolatency" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-biolatency -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-dashboard" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-dashboard -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-execsnoop" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-execsnoop -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-exitsnoop" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-exitsnoop -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-funccount" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-funccount -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-funclatency" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-funclatency -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-grpcsnoop" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-grpcsnoop -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-httplat" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-httplat -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-httpsnoop" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-httpsnoop -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-killsnoop" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-killsnoop -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-kopensnoop" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-kopensnoop -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-memleak" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-memleak -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-offcputime" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-offcputime -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-opensnoop" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-opensnoop -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-profile" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-profile -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-pycalls" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-pycalls -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-runqlat" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-runqlat -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-sslsniff" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-sslsniff -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-stackcount" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-stackcount -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-syscount" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-syscount -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-syslat" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-syslat -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-tcpconnect" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-tcpconnect -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-tcplife" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-tcplife -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  file(CREATE_LINK ltrace-ebpf
    "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/ltrace-ebpf-tcpstates" SYMBOLIC)
    message(STATUS "Installing: ltrace-ebpf-tcpstates -> ltrace-ebpf")
endif()

if(CMAKE_INSTALL_COMPONENT)
  set(CMAKE_INSTALL_MANIFEST "install_manifest_${CMAKE_INSTALL_COMPONENT}.txt")
else()
  set(CMAKE_INSTALL_MANIFEST "install_manifest.txt")
endif()

string(REPLACE ";" "\n" CMAKE_INSTALL_MANIFEST_CONTENT
       "${CMAKE_INSTALL_MANIFEST_FILES}")
file(WRITE "/work/wt/thru/build2/${CMAKE_INSTALL_MANIFEST}"
     "${CMAKE_INSTALL_MANIFEST_CONTENT}")
