# Empty dependencies file for test_usdt_notes.
# This may be replaced when dependencies are built.
