#!/usr/bin/env python3
"""Fails when a state-changing route is reached by no integration test.

Every state-changing request of the integration suite is checked for publishing what it changed
(app/tests/publications.rs) and, with GLOBALDESK_PUBLICATION_COVERAGE=FILE, noted in FILE as
"METHOD /path/{n} STATUS". This compares those lines with the POST/PUT/DELETE routes declared in
the rooms' routers, so a new route cannot escape the check by having no test.

usage: route_coverage.py COVERAGE_FILE...
"""
import glob
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def declared_routes():
    routes = set()
    for path in glob.glob(str(ROOT / "crates/*/src/**/*.rs"), recursive=True):
        text = Path(path).read_text(encoding="utf-8")
        for m in re.finditer(r'\.route\(\s*"([^"]+)",\s*([^\n]+)', text):
            template, handlers = m.group(1), m.group(2)
            for method in ("post", "put", "delete"):
                if re.search(r"(^|[.\s(:])" + method + r"\(", handlers):
                    routes.add((method.upper(), template))
    return routes


def matches(template, path):
    a, b = template.split("/"), path.split("/")
    return len(a) == len(b) and all(x == y or x.startswith("{") for x, y in zip(a, b))


def main():
    reached = set()
    for f in sys.argv[1:]:
        for line in Path(f).read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                reached.add((parts[0], parts[1]))
    routes = declared_routes()
    missing = sorted(r for r in routes if not any(m == r[0] and matches(r[1], p) for m, p in reached))
    print(f"state-changing routes: {len(routes)}; reached by the integration suite: {len(routes) - len(missing)}")
    for method, template in missing:
        print(f"  not reached: {method} {template}")
    return 1 if missing or not routes else 0


if __name__ == "__main__":
    sys.exit(main())
