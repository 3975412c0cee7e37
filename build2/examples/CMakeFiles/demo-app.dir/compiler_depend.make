# Empty compiler generated dependencies file for demo-app.
# This may be replaced when dependencies are built.
