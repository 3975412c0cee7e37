# CMake generated Testfile for 
# Source directory: /work/wt/thru
# Build directory: /work/wt/thru/build2
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("examples")
subdirs("tests")
subdirs("bench")
