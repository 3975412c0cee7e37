# What `cmake --install build` puts where (prefix /usr/local unless --prefix says):
#   bin/ltrace-ebpf, and bin/ltrace-ebpf-NAME -> ltrace-ebpf for each shipped tool
#   share/ltrace-ebpf/scripts/*.lua    the tools (src/app/tools.c finds them)
#   share/doc/ltrace-ebpf/             README.md and docs/*.md
#   share/man/man1/ltrace-ebpf.1       the man page (man/ltrace-ebpf.1)
include(GNUInstallDirs)

# Where the tools are looked for: the source tree's scripts/ when the binary runs from this
# build directory, then beside the binary, then the data directory configured here (for
# the sanitized build in tests/ too).
set_source_files_properties(${SRC_DIR}/app/tools.c
  DIRECTORY ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/tests PROPERTIES COMPILE_DEFINITIONS
  "LT_SOURCE_DIR=\"${CMAKE_SOURCE_DIR}\";LT_BUILD_DIR=\"${CMAKE_BINARY_DIR}\";LT_DATADIR=\"${CMAKE_INSTALL_FULL_DATADIR}/ltrace-ebpf\"")

install(TARGETS ltrace-ebpf RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
file(GLOB TOOL_SCRIPTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scripts/*.lua)
install(FILES ${TOOL_SCRIPTS} DESTINATION ${CMAKE_INSTALL_DATADIR}/ltrace-ebpf/scripts)
file(GLOB USER_DOCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${USER_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(FILES ${CMAKE_SOURCE_DIR}/man/ltrace-ebpf.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# One link per tool: `ltrace-ebpf-opensnoop ARGS` is `ltrace-ebpf --tool opensnoop ARGS`
# (a bare name after ltrace-ebpf is a command to trace, as in ltrace). Made at install
# time, under whatever --prefix and DESTDIR the install uses.
foreach(script ${TOOL_SCRIPTS})
  get_filename_component(tool ${script} NAME_WE)
  install(CODE "file(CREATE_LINK ltrace-ebpf
    \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/ltrace-ebpf-${tool}\" SYMBOLIC)
    message(STATUS \"Installing: ltrace-ebpf-${tool} -> ltrace-ebpf\")")
endforeach()
