# Empty dependencies file for test_return_safety.
# This may be replaced when dependencies are built.
