# Empty compiler generated dependencies file for test_symbolize_cache.
# This may be replaced when dependencies are built.
