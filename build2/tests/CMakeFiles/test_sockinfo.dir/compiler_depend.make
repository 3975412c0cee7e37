# Empty compiler generated dependencies file for test_sockinfo.
# This may be replaced when dependencies are built.
