file(REMOVE_RECURSE
  "libltcore.a"
)
