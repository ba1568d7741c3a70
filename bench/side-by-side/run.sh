#!/usr/bin/env bash
# Side-by-side benchmark: OpenFisca (openfisca-core from PyPI) and GlobalDesk's rules crate on
# the same 20 eligibility rules and the same synthetic companies, in one run.
#
#   bash bench/side-by-side/run.sh [N=100000] [--big]
#
# Workloads: (a) N companies x 20 programs, (b) 1 company x 20 programs, and with --big
# (c) N companies x 2,000 programs (the 20 rules copied 100 times). Prints a table of both times
# and the ratio OpenFisca / GlobalDesk, then checks that every program's eligible count is the
# same on both sides (GlobalDesk's ELIGIBLE outcomes; see openfisca_side.py on missing facts).
# Exits 1 if any count differs. SEED (environment, default 20261126) fixes the companies.
set -euo pipefail

usage() { echo "usage: $0 [N=100000] [--big]" >&2; exit 2; }
N=100000
BIG=()
for arg in "$@"; do
  case "$arg" in
    --big) BIG=(--big) ;;
    ''|*[!0-9]*) usage ;;
    *) N=$arg ;;
  esac
done
SEED=${SEED:-20261126}

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
VENV=$HERE/.venv
PY=$VENV/bin/python
if [[ ! -x $PY ]]; then
  echo "== creating $VENV (openfisca-core, numpy from PyPI)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check openfisca-core numpy
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "== $($PY --version), $(cargo --version), git HEAD $(git rev-parse --short HEAD 2>/dev/null || echo none)"
echo "== crates/rules sources (src/*.rs) sha256: $(cat crates/rules/src/*.rs | sha256sum | cut -c1-16)"
echo "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== generating $N companies (seed $SEED)"
"$PY" "$HERE/gen_companies.py" "$N" "$SEED" > "$TMP/companies.csv"

echo "== building the GlobalDesk example (release)"
cargo build --release -q -p rules --example side_by_side

echo "== OpenFisca"
"$PY" "$HERE/openfisca_side.py" "$TMP/companies.csv" "${BIG[@]}" | tee "$TMP/openfisca.out"
echo "== GlobalDesk"
cargo run --release -q -p rules --example side_by_side -- "$TMP/companies.csv" "$HERE/rules20.gdr" "${BIG[@]}" \
  | tee "$TMP/globaldesk.out"

tail -n 1 "$TMP/openfisca.out" > "$TMP/openfisca.json"
tail -n 1 "$TMP/globaldesk.out" > "$TMP/globaldesk.json"

echo
"$PY" - "$TMP/openfisca.json" "$TMP/globaldesk.json" "$N" <<'EOF'
import json, sys

of = json.load(open(sys.argv[1]))
gd = json.load(open(sys.argv[2]))
n = int(sys.argv[3])


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "us":
        return f"{value:,.2f} us" if value < 100 else f"{value:,.0f} us"
    return f"{value:,.2f} ms" if value < 100 else f"{value:,.0f} ms"


def plus(a, b):
    return a + b if a is not None and b is not None else None


rows = [
    (f"(a) {n:,} x 20 programs, batch", of.get("batch_ms"), gd.get("batch_ms"), "ms"),
    ("    same, GlobalDesk on 1 thread", of.get("batch_ms"), gd.get("batch_1t_ms"), "ms"),
    ("    same, GlobalDesk + building columns", of.get("batch_ms"), plus(gd.get("columns_ms"), gd.get("batch_ms")), "ms"),
    ("(b) 1 company x 20 programs", of.get("single_us"), gd.get("single_us"), "us"),
    ("    same, GlobalDesk + building subject", of.get("single_us"), gd.get("single_with_build_us"), "us"),
]
if "big_ms" in of or "big_ms" in gd:
    rows.append((f"(c) {n:,} x 2,000 programs", of.get("big_ms"), gd.get("big_ms"), "ms"))

print(f"{'workload':<42} {'OpenFisca':>12} {'GlobalDesk':>12} {'OpenFisca/GlobalDesk':>22}")
print("-" * 91)
for name, a, b, unit in rows:
    ratio = (f"{a / b:,.1f}x" if a / b < 10 else f"{a / b:,.0f}x") if a and b else "-"
    print(f"{name:<42} {fmt(a, unit):>12} {fmt(b, unit):>12} {ratio:>22}")
print()
print("OpenFisca:  (a) new simulation + set_input + 20 variables, median of 3; (b) the same for one company,")
print("            median of 50; (c) 2,000 variables, one run. CSV reading/encoding not timed.")
print("GlobalDesk: (a) columnar evaluator on columns already built, best of 5, all cores (and on 1 thread;")
print("            and plus the median time to build the columns from the parsed rows); (b) row evaluator,")
print("            median over up to 20,000 companies (and with building the company's profile + subject);")
print("            (c) 2,000 compiled programs (hash-consed: the 100 copies share their leaves), median of 3.")
print(f"Missing facts: {of.get('missing_as')};")
print("GlobalDesk reports a rule that needs them as unknown, so the counts below compare GlobalDesk's")
print("ELIGIBLE outcomes with OpenFisca's True values.")
print()

ok = True
oc, gc = of["counts"], gd["counts"]
if len(oc) != len(gc):
    print(f"COUNT MISMATCH: OpenFisca gave {len(oc)} programs, GlobalDesk {len(gc)}")
    ok = False
for i, (a, b) in enumerate(zip(oc, gc), start=1):
    flag = "" if a == b else "   <-- MISMATCH"
    ok &= a == b
    print(f"  p{i:02d}  openfisca {a:>8}  globaldesk {b:>8}{flag}")
if of.get("reference_counts_match") is False:
    print("the OpenFisca model disagrees with its plain-Python reference evaluator")
    ok = False
for side, data in (("OpenFisca", of), ("GlobalDesk", gd)):
    if data.get("big_counts_ok") is False:
        print(f"{side}: the 2,000-program counts are not the 20 counts repeated 100 times")
        ok = False
print("counts identical: " + ("yes" if ok else "NO"))
sys.exit(0 if ok else 1)
EOF
