file(REMOVE_RECURSE
  "libltcore_san.a"
)
