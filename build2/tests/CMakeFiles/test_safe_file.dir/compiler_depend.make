# Empty compiler generated dependencies file for test_safe_file.
# This may be replaced when dependencies are built.
