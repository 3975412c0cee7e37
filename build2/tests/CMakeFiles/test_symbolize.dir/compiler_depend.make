# Empty compiler generated dependencies file for test_symbolize.
# This may be replaced when dependencies are built.
