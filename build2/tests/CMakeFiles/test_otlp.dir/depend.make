# Empty dependencies file for test_otlp.
# This may be replaced when dependencies are built.
