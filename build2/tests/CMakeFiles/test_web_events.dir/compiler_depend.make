# Empty compiler generated dependencies file for test_web_events.
# This may be replaced when dependencies are built.
