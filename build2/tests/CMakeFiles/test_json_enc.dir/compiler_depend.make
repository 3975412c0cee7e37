# Empty compiler generated dependencies file for test_json_enc.
# This may be replaced when dependencies are built.
