# Empty dependencies file for test_btf_tp.
# This may be replaced when dependencies are built.
