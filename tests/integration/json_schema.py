#!/usr/bin/env python3
"""json_schema.py DOC FILE...: every field docs/json.md lists, checked against JSON lines.

The doc's tables are read under their "### TYPE" headings (the "A row:" table of "agg" is
the rows'): | `field` | type | when | text |. A field whose `when` is "always" must be on
every line of its type (every row); one with a condition "rec A, B" / "kind A" / "agg A, B"
on every line (row) that meets it, or, when the condition says more ("kind syscall, when
it failed"), on at least one. A field the doc does not list is an error too. Prints one
line per problem and exits 1, or prints how many fields were checked."""
import json
import re
import sys


def read_doc(path):
    tables, section, rows_next = {}, None, False
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^### (\w+)", line)
        if m:
            section = m.group(1)
            continue
        if line.startswith("A row:"):
            section = "row"
        if line.startswith("## ") and not line.startswith("## The schema"):
            section = None
        m = re.match(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|", line)
        if m and section:
            tables.setdefault(section, {})[m.group(1)] = m.group(2).strip()
    return tables


def condition(when):
    """(key, values, strict) or None for always."""
    if when == "always":
        return None
    m = re.match(r"^(rec|kind|agg) ([\w, ]+?)(, when .*)?$", when)
    if not m:
        raise SystemExit("json_schema: cannot read the condition '%s'" % when)
    return m.group(1), {v.strip() for v in m.group(2).split(",")}, m.group(3) is None


def main(argv):
    doc, files = argv[1], argv[2:]
    tables = read_doc(doc)
    lines = {}
    for path in files:
        for n, text in enumerate(open(path, encoding="utf-8"), 1):
            obj = json.loads(text)
            lines.setdefault(obj["type"], []).append(obj)
            if obj["type"] == "agg":
                for r in obj["rows"]:
                    lines.setdefault("row", []).append(dict(r, agg=obj["agg"]))
    problems, checked = [], 0
    for section, fields in sorted(tables.items()):
        objs = lines.get(section, [])
        if not objs:
            problems.append("no '%s' line to check" % section)
            continue
        for field, when in fields.items():
            cond = condition(when)
            checked += 1
            if cond is None:
                missing = [o for o in objs if field not in o]
                if missing:
                    problems.append("%s.%s (always): missing in %d of %d, e.g. %s" % (
                        section, field, len(missing), len(objs), json.dumps(missing[0])[:300]))
                continue
            key, values, strict = cond
            meeting = [o for o in objs if o.get(key) in values]
            if not meeting:
                problems.append("%s.%s: no line with %s in %s" % (section, field, key, values))
            elif strict and any(field not in o for o in meeting):
                o = next(o for o in meeting if field not in o)
                problems.append("%s.%s (%s): missing in %s" % (section, field, when, json.dumps(o)[:300]))
            elif not strict and not any(field in o for o in meeting):
                problems.append("%s.%s (%s): in no line" % (section, field, when))
        if section == "record":
            continue	# a record's fields are the script's
        for o in objs:
            extra = [k for k in o if k not in fields and not (section == "row" and k == "agg")]
            if extra:
                problems.append("%s: fields the doc does not list: %s" % (section, extra))
                break
    for p in problems:
        print(p)
    if not problems:
        print("checked %d fields" % checked)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
