# Empty compiler generated dependencies file for test_hist_slot.
# This may be replaced when dependencies are built.
