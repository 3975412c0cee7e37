# Empty dependencies file for ltcore_san.
# This may be replaced when dependencies are built.
