# Empty custom commands generated dependencies file for skeletons.
# This may be replaced when dependencies are built.
