# Benchmark programs: the workload, its fixture library and the floor loaders (minimal
# libbpf loaders of empty programs, built like the templates: clang -target bpf, then a
# skeleton).
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

# bench_loader(NAME): NAME.bpf.c compiled and turned into NAME.skel.h, and the loader
# NAME.c built with it as bench/NAME (a target of `bench`).
function(bench_loader name)
  add_custom_command(
    OUTPUT ${BENCH_GEN}/${name}.skel.h
    COMMAND ${CLANG} -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror
            -I/usr/include/x86_64-linux-gnu -c ${CMAKE_CURRENT_SOURCE_DIR}/${name}.bpf.c
            -o ${BENCH_GEN}/${name}.bpf.o
    COMMAND ${BPFTOOL} gen skeleton ${BENCH_GEN}/${name}.bpf.o name ${name}_bpf > ${BENCH_GEN}/${name}.skel.h
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${name}.bpf.c
    COMMENT "BPF benchmark programs ${name}.bpf.c")
  add_custom_target(bench_${name}_skel DEPENDS ${BENCH_GEN}/${name}.skel.h)
  add_executable(bench_${name} ${name}.c)
  set_target_properties(bench_${name} PROPERTIES OUTPUT_NAME ${name})
  add_dependencies(bench_${name} bench_${name}_skel)
  target_include_directories(bench_${name} PRIVATE ${BENCH_GEN} ${LIBBPF_INCLUDE_DIRS} ${LIBELF_INCLUDE_DIRS})
  target_compile_options(bench_${name} PRIVATE -O2 ${WARN})
  target_link_libraries(bench_${name} ${LIBBPF_LIBRARIES} ${LIBELF_LIBRARIES} z)
  add_dependencies(bench bench_${name})
endfunction()

bench_loader(floor)
add_dependencies(bench bench_workload bench_fix ltrace-ebpf)
