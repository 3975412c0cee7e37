# Empty custom commands generated dependencies file for embed_lua.
# This may be replaced when dependencies are built.
