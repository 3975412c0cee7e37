# Empty compiler generated dependencies file for test_http1.
# This may be replaced when dependencies are built.
