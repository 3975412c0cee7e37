# Empty compiler generated dependencies file for test_ktypes.
# This may be replaced when dependencies are built.
