# Empty compiler generated dependencies file for test_libpath.
# This may be replaced when dependencies are built.
