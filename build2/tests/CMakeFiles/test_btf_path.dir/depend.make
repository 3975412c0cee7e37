# Empty dependencies file for test_btf_path.
# This may be replaced when dependencies are built.
