# Empty compiler generated dependencies file for test_tracefs.
# This may be replaced when dependencies are built.
