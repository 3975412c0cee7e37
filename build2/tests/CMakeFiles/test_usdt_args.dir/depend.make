# Empty dependencies file for test_usdt_args.
# This may be replaced when dependencies are built.
