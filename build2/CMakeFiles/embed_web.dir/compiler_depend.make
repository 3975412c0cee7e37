# Empty custom commands generated dependencies file for embed_web.
# This may be replaced when dependencies are built.
