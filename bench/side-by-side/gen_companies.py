#!/usr/bin/env python3
"""Synthetic companies for the OpenFisca / GlobalDesk side-by-side benchmark.

    python3 gen_companies.py N SEED > companies.csv

Writes a CSV (no quoted fields) with the header

    employees,revenue_krw,exports_usd,founded_on,region,ksic,export_stage,size_class,
    target_countries,venture_certified,rnd_spend_krw,last_voucher_on

Every draw comes from one numpy Generator seeded with SEED, so the same N and SEED give the
same file byte for byte. Money is written as integers (won, dollars); nothing is a float.

Reference data is read from the repository's data/ folder:
  * region        one of the 17 codes in data/regions/kr-regions.csv
  * ksic          section letter + 2-digit division from data/ksic/ksic-sections-divisions.csv
  * export_stage  from exports_usd by data/thresholds/export-stages.csv: the highest stage
                  whose min_usd the exports reach
  * size_class    from data/thresholds/sme-size.csv, using the row of the company's KSIC
                  section (row "*" when the section has none), tested in this order:
                    micro      if employees < micro_employees_below
                    small      elif revenue_krw <= small_max_revenue_krw
                    medium     elif revenue_krw <= medium_max_revenue_krw and employees < 300
                    above_sme  otherwise
Optional facts are sometimes left empty (the field is blank): venture_certified (~10 %),
rnd_spend_krw (~10 %). An empty last_voucher_on means the company never received an
export voucher.
"""
import csv
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"

# Target-country pool (ISO alpha-2); the six ASEAN/US markets used by the rules come first.
COUNTRIES = ["US", "VN", "ID", "MY", "TH", "PH", "CN", "JP", "DE", "FR", "IN", "MX", "AE", "GB"]
COUNTRY_WEIGHTS = [12, 10, 6, 5, 5, 4, 12, 10, 6, 4, 6, 4, 4, 4]

FOUNDED_FIRST = np.datetime64("1980-01-01")
FOUNDED_LAST = np.datetime64("2026-06-30")
VOUCHER_FIRST = np.datetime64("2018-01-01")
VOUCHER_LAST = np.datetime64("2026-11-26")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_reference():
    regions = [r["code"] for r in read_csv(DATA / "regions" / "kr-regions.csv") if r["code"]]
    assert len(regions) == 17, regions
    divisions = [r["parent"] + r["code"] for r in read_csv(DATA / "ksic" / "ksic-sections-divisions.csv")
                 if r["level"] == "division"]
    stages = sorted(((int(r["min_usd"]), r["code"]) for r in read_csv(DATA / "thresholds" / "export-stages.csv")))
    sizes = {r["ksic_section"]: (int(r["micro_employees_below"]), int(r["small_max_revenue_krw"]),
                                 int(r["medium_max_revenue_krw"]))
             for r in read_csv(DATA / "thresholds" / "sme-size.csv")}
    return regions, divisions, stages, sizes


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_companies.py N SEED")
    n, seed = int(sys.argv[1]), int(sys.argv[2])
    regions, divisions, stages, sizes = load_reference()
    rng = np.random.default_rng(seed)

    # Size: employees and revenue are correlated through a common "scale" draw.
    scale = rng.normal(0.0, 1.0, n)
    employees = np.clip(np.round(np.exp(np.log(12) + 1.4 * scale + 0.5 * rng.normal(0, 1, n))), 0, 20_000).astype(np.int64)
    revenue = np.clip(np.exp(np.log(3e9) + 1.6 * scale + 0.6 * rng.normal(0, 1, n)), 0, 1.5e12).astype(np.int64)
    exporter = rng.random(n) >= 0.35
    exports = np.where(exporter, np.clip(np.exp(rng.normal(np.log(2e5), 2.0, n)), 1, 5e8), 0).astype(np.int64)

    # ~1 % of each field is set to a value on or next to a threshold the rules use, so that an
    # off-by-one (< vs <=, a day early or late, float rounding of money) shows up in the counts.
    def at_edges(values, edges):
        pick = rng.random(n) < 0.01
        return np.where(pick, np.array(edges, dtype=values.dtype)[rng.integers(0, len(edges), n)], values)

    employees = at_edges(employees, [4, 5, 9, 10, 49, 50, 299, 300])
    revenue = at_edges(revenue, [9_999_999_999, 10_000_000_000, 10_000_000_001])
    exports = at_edges(exports, [0, 1, 99_999, 100_000, 999_999, 1_000_000, 9_999_999, 10_000_000])

    span = int((FOUNDED_LAST - FOUNDED_FIRST).astype(np.int64))
    founded = FOUNDED_FIRST + rng.integers(0, span + 1, n).astype("timedelta64[D]")
    founded = at_edges(founded, np.array(["2025-11-26", "2025-11-27", "2023-11-26", "2023-11-27", "2019-11-26",
                                          "2019-11-27", "2018-11-26", "2024-02-29"], dtype="datetime64[D]"))

    # Busier regions get more companies (Seoul, Gyeonggi, Incheon, Busan first).
    region_w = np.ones(len(regions))
    for code, w in {"11": 8, "41": 8, "28": 2.5, "26": 2.5, "27": 1.8, "48": 1.8, "47": 1.5, "29": 1.2,
                    "30": 1.2, "31": 1.2, "44": 1.2}.items():
        region_w[regions.index(code)] = w
    region = np.array(regions)[rng.choice(len(regions), n, p=region_w / region_w.sum())]
    ksic = np.array(divisions)[rng.integers(0, len(divisions), n)]

    stage_mins = np.array([m for m, _ in stages])
    stage_names = np.array([c for _, c in stages])
    export_stage = stage_names[np.searchsorted(stage_mins, exports, side="right") - 1]

    section = np.array([k[0] for k in ksic])
    fallback = sizes["*"]
    micro_below = np.array([sizes.get(s, fallback)[0] for s in section])
    small_max = np.array([sizes.get(s, fallback)[1] for s in section], dtype=np.int64)
    medium_max = np.array([sizes.get(s, fallback)[2] for s in section], dtype=np.int64)
    size_class = np.where(employees < micro_below, "micro",
                          np.where(revenue <= small_max, "small",
                                   np.where((revenue <= medium_max) & (employees < 300), "medium", "above_sme")))

    n_targets = rng.choice(4, n, p=[0.3, 0.3, 0.25, 0.15])
    cw = np.array(COUNTRY_WEIGHTS, dtype=float) / sum(COUNTRY_WEIGHTS)
    targets = [";".join(rng.choice(COUNTRIES, k, replace=False, p=cw)) if k else "" for k in n_targets]

    venture_u = rng.random(n)
    venture = np.where(venture_u < 0.10, "", np.where(rng.random(n) < 0.22, "1", "0"))

    rnd_missing = rng.random(n) < 0.10
    rnd_zero = rng.random(n) < 0.30
    rnd_amount = np.clip(np.exp(rng.normal(np.log(2e8), 1.5, n)), 0, 5e11).astype(np.int64)
    rnd_amount = at_edges(rnd_amount, [299_999_999, 300_000_000, 599_999_999, 600_000_000, 1_000_000_000,
                                       1_000_000_001])
    rnd = np.where(rnd_missing, "", np.where(rnd_zero, "0", rnd_amount.astype(str)))

    vspan = int((VOUCHER_LAST - VOUCHER_FIRST).astype(np.int64))
    voucher_dates = (VOUCHER_FIRST + rng.integers(0, vspan + 1, n).astype("timedelta64[D]")).astype(str)
    voucher_dates = at_edges(voucher_dates, ["2024-11-25", "2024-11-26", "2024-11-27", "2026-11-26"])
    voucher = np.where(rng.random(n) < 0.25, voucher_dates, "")

    out = sys.stdout
    out.write("employees,revenue_krw,exports_usd,founded_on,region,ksic,export_stage,size_class,"
              "target_countries,venture_certified,rnd_spend_krw,last_voucher_on\n")
    cols = [employees.astype(str), revenue.astype(str), exports.astype(str), founded.astype(str), region, ksic,
            export_stage, size_class, targets, venture, rnd, voucher]
    out.writelines(",".join(row) + "\n" for row in zip(*cols))


if __name__ == "__main__":
    main()
