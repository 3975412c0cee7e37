# Empty dependencies file for test_prom_text.
# This may be replaced when dependencies are built.
