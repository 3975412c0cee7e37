#!/usr/bin/env python3
"""json_rows.py FILE [KEY=VALUE ...] [-- FIELD ...]: reads FILE as JSON lines (docs/json.md),
every line must decode (else one line on stderr, exit 1); prints the lines whose top-level
KEY equals VALUE (as text: 'count=3', 'type=record'), one per line: the FIELDs' values
separated by tabs (a dotted FIELD reads inside objects: 'fields.filename'; a missing one
prints as '-'; strings as they are, anything else as compact JSON), or without FIELDs the
line itself with sorted keys."""
import json
import signal
import sys


def text(v):
    return v if isinstance(v, str) else json.dumps(v, separators=(",", ":"), sort_keys=True)


def get(obj, path):
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return "-"
        obj = obj[part]
    return text(obj)


def main(argv):
    args = argv[1:]
    fields = []
    if "--" in args:
        i = args.index("--")
        args, fields = args[:i], args[i + 1:]
    path, conds = args[0], [a.split("=", 1) for a in args[1:]]
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                obj = json.loads(line)
            except ValueError as e:
                sys.stderr.write("json_rows: %s:%d: not JSON (%s): %.200s\n" % (path, n, e, line))
                return 1
            if not isinstance(obj, dict):
                sys.stderr.write("json_rows: %s:%d: not an object\n" % (path, n))
                return 1
            if all(get(obj, k) == v for k, v in conds):
                if fields:
                    print("\t".join(get(obj, k) for k in fields))
                else:
                    print(json.dumps(obj, separators=(",", ":"), sort_keys=True))
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head -1` is no error
    sys.exit(main(sys.argv))
