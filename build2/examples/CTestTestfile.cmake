# CMake generated Testfile for 
# Source directory: /work/wt/thru/examples
# Build directory: /work/wt/thru/build2/examples
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
