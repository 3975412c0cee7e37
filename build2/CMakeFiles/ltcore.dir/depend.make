# Empty dependencies file for ltcore.
# This may be replaced when dependencies are built.
