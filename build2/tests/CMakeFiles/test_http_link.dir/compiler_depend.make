# Empty compiler generated dependencies file for test_http_link.
# This may be replaced when dependencies are built.
