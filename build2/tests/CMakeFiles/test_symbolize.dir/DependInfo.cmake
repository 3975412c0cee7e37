
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/thru/tests/unit/test_symbolize.c" "tests/CMakeFiles/test_symbolize.dir/unit/test_symbolize.c.o" "gcc" "tests/CMakeFiles/test_symbolize.dir/unit/test_symbolize.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/thru/build2/tests/CMakeFiles/ltcore_san.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
