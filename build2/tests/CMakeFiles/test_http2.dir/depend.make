# Empty dependencies file for test_http2.
# This may be replaced when dependencies are built.
