# Benchmark programs: the workload, its fixture library and the empty-uprobe floor loader
# (a BPF object of its own, built like the templates: clang -target bpf, then a skeleton).
set(BENCH_GEN ${CMAKE_CURRENT_BINARY_DIR}/gen)
file(MAKE_DIRECTORY ${BENCH_GEN})

add_library(bench_fix SHARED benchfix.c)
target_compile_options(bench_fix PRIVATE -O2)

add_executable(bench_workload workload.c)
target_compile_options(bench_workload PRIVATE -O2 -fno-builtin ${WARN})
target_link_libraries(bench_workload bench_fix)
set_target_properties(bench_fix PROPERTIES OUTPUT_NAME benchfix)
set_target_properties(bench_workload PROPERTIES OUTPUT_NAME workload
  BUILD_RPATH ${CMAKE_CURRENT_BINARY_DIR})

add_custom_command(
  OUTPUT ${BENCH_GEN}/floor.skel.h
  COMMAND ${CLANG} -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror
          -I/usr/include/x86_64-linux-gnu -c ${CMAKE_CURRENT_SOURCE_DIR}/floor.bpf.c
          -o ${BENCH_GEN}/floor.bpf.o
  COMMAND ${BPFTOOL} gen skeleton ${BENCH_GEN}/floor.bpf.o name floor_bpf > ${BENCH_GEN}/floor.skel.h
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/floor.bpf.c
  COMMENT "BPF floor program")
add_custom_target(bench_floor_skel DEPENDS ${BENCH_GEN}/floor.skel.h)

add_executable(bench_floor floor.c)
set_target_properties(bench_floor PROPERTIES OUTPUT_NAME floor)
add_dependencies(bench_floor bench_floor_skel)
target_include_directories(bench_floor PRIVATE ${BENCH_GEN} ${LIBBPF_INCLUDE_DIRS} ${LIBELF_INCLUDE_DIRS})
target_compile_options(bench_floor PRIVATE -O2 ${WARN})
target_link_libraries(bench_floor ${LIBBPF_LIBRARIES} ${LIBELF_LIBRARIES} z)

add_dependencies(bench bench_workload bench_fix bench_floor ltrace-ebpf)
