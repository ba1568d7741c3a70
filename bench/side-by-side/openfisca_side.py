#!/usr/bin/env python3
"""OpenFisca half of the side-by-side benchmark (see run.sh).

    python openfisca_side.py companies.csv [--big] [--no-check]

A small OpenFisca model of the 20 benchmark programs, written as an OpenFisca country package
would write it: a `company` entity, input variables, a few shared intermediate variables, dated
parameters, and one boolean variable `eligible_pNN` per program. It is evaluated for the year
2026 "as of" 2026-11-26. The rules are the ones in rules20.gdr; comments name the GlobalDesk
condition each piece mirrors.

Timed (CSV reading and encoding are not timed, as on the GlobalDesk side):
  batch   new simulation + set_input of every input + calculate the 20 eligibility
          variables for all N companies; median of 3 (min also reported)
  single  the same for a simulation of one company; median of 50 (companies 0..49)
  big     with --big: the 20 formulas registered 100 times (2,000 variables), N companies, 1 run

Encoding notes (OpenFisca has no missing values, no sets and no 64-bit integers):
  * a missing venture_certified is input as False, a missing rnd_spend_krw as 0, a missing
    last_voucher_on (never received) as 1970-01-01. GlobalDesk reports "unknown" where a rule
    needs a missing fact; the rules only use optional facts positively, so a missing fact can
    only make a company not eligible here and not-eligible-or-unknown there, and the ELIGIBLE
    counts must agree exactly.
  * OpenFisca stores `int` as int32 and `float` as float32 (float32 would round won amounts), so
    a won amount is input as two int32 variables, thousands and remainder, and the formulas
    rebuild the exact int64 amount before comparing.
  * target_countries (a set) is input as an int32 bit mask over the countries present.
  * ksic "C26" is input as the int32 ord("C") * 100 + 26, so a prefix test is an integer test.

The last stdout line is one JSON object with the timings and the per-program eligible counts.
"""
import datetime
import json
import statistics
import sys
import time
from importlib.metadata import version

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

PERIOD = "2026"
AS_OF = datetime.date(2026, 11, 26)
COPIES_BIG = 100

Company = build_entity(key="company", plural="companies", label="Company applying for support", is_person=True)

PARAMETERS = {
    "sme": {
        "description": "Size classes that count as SME under the Framework Act (predicate `sme`)",
        "size_classes": {"values": {"2020-01-01": {"value": ["micro", "small", "medium"]}}},
    },
    "export": {
        "novice_below_usd": {"description": "predicate `novice_exporter`: exports_usd < this",
                             "values": {"2020-01-01": {"value": 100_000}}},
        "voucher_window_years": {"values": {"2020-01-01": {"value": 2}}},
        "priority_markets": {"values": {"2023-01-01": {"value": ["US", "VN", "ID", "MY", "TH", "PH"]}}},
    },
    "industry": {
        "manufacturing": {"values": {"2017-01-01": {"value": ["C"]}}},
        "ict": {"values": {"2017-01-01": {"value": ["J58", "J61", "J62", "J63"]}}},
        "bio": {"values": {"2017-01-01": {"value": ["C21", "M72"]}}},
    },
}


class Region(Enum):
    r11 = "Seoul"
    r26 = "Busan"
    r27 = "Daegu"
    r28 = "Incheon"
    r29 = "Gwangju"
    r30 = "Daejeon"
    r31 = "Ulsan"
    r36 = "Sejong"
    r41 = "Gyeonggi"
    r43 = "Chungbuk"
    r44 = "Chungnam"
    r46 = "Jeonnam"
    r47 = "Gyeongbuk"
    r48 = "Gyeongnam"
    r50 = "Jeju"
    r51 = "Gangwon"
    r52 = "Jeonbuk"


class SizeClass(Enum):
    micro = "micro"
    small = "small"
    medium = "medium"
    above_sme = "above_sme"


class ExportStage(Enum):
    domestic = "domestic"
    novice = "novice"
    promising = "promising"
    growth = "growth"
    established = "established"


def enum_index(enum_cls, name):
    return list(enum_cls).index(enum_cls[name])


# Country bit positions for the target_countries mask; filled from the data before the model runs.
COUNTRY_BIT = {}


def country_mask(codes):
    mask = 0
    for code in codes:
        if code in COUNTRY_BIT:
            mask |= 1 << COUNTRY_BIT[code]
    return mask


def ksic_int(code):
    return ord(code[0]) * 100 + int(code[1:])


# ------------------------------------------------------------------------------------ inputs
def declare(name, value_type, period=DateUnit.YEAR, label=None, **extra):
    attrs = dict(value_type=value_type, entity=Company, definition_period=period, label=label or name, **extra)
    return type(name, (Variable,), attrs)


INPUT_VARIABLES = [
    declare("employees", int, label="Full-time employees"),
    declare("revenue_krw_thousands", int, label="Revenue last fiscal year, whole thousands of won"),
    declare("revenue_krw_remainder", int, label="Revenue last fiscal year, won below one thousand"),
    declare("exports_usd", int, label="Exports in the year, USD"),
    declare("founded_on", datetime.date, DateUnit.ETERNITY, label="Founding date"),
    declare("region", Enum, possible_values=Region, default_value=Region.r11),
    declare("ksic_code", int, DateUnit.ETERNITY, label="KSIC section letter code * 100 + division"),
    declare("export_stage", Enum, possible_values=ExportStage, default_value=ExportStage.domestic),
    declare("size_class", Enum, possible_values=SizeClass, default_value=SizeClass.above_sme),
    declare("target_country_mask", int, label="Target countries as a bit mask"),
    declare("venture_certified", bool, label="Venture business certificate (missing = False)"),
    declare("rnd_spend_krw_thousands", int, label="R&D spending, whole thousands of won (missing = 0)"),
    declare("rnd_spend_krw_remainder", int, label="R&D spending, won below one thousand"),
    declare("last_voucher_on", datetime.date, label="Last export-voucher award (never = 1970-01-01)"),
]
LAST_YEAR = {"revenue_krw_thousands", "revenue_krw_remainder", "exports_usd", "rnd_spend_krw_thousands",
             "rnd_spend_krw_remainder"}
ETERNAL = {"founded_on", "ksic_code"}


def won(company, stem, period):
    """Exact won amount as int64 from the two int32 input variables."""
    return (company(stem + "_thousands", period).astype(np.int64) * 1000
            + company(stem + "_remainder", period).astype(np.int64))


def ksic_prefix_in(company, period, prefixes):
    """GlobalDesk `ksic prefix_in [...]` for prefixes of one letter or letter + division."""
    code = company("ksic_code", period)
    hit = np.zeros(code.shape, dtype=bool)
    for prefix in prefixes:
        if len(prefix) == 1:
            hit |= (code // 100) == ord(prefix)
        else:
            hit |= code == ksic_int(prefix)
    return hit


def region_is(company, period, *codes):
    raw = np.asarray(company("region", period))
    return np.isin(raw, [enum_index(Region, "r" + c) for c in codes])


# ------------------------------------------------------------------------------ intermediates
class age_years(Variable):
    value_type = int
    entity = Company
    definition_period = DateUnit.YEAR
    label = "Whole years from founding to the as-of date (birthday rule)"

    def formula(company, period, parameters):
        founded = company("founded_on", period)
        year = founded.astype("datetime64[Y]").astype(np.int64) + 1970
        month = founded.astype("datetime64[M]").astype(np.int64) % 12 + 1
        day = (founded - founded.astype("datetime64[M]")).astype(np.int64) + 1
        before_anniversary = (month > AS_OF.month) | ((month == AS_OF.month) & (day > AS_OF.day))
        return AS_OF.year - year - before_anniversary


class is_sme(Variable):
    value_type = bool
    entity = Company
    definition_period = DateUnit.YEAR
    label = "Predicate sme: size_class in micro, small, medium"

    def formula(company, period, parameters):
        raw = np.asarray(company("size_class", period))
        allowed = [enum_index(SizeClass, s) for s in parameters(period).sme.size_classes]
        return np.isin(raw, allowed)


class is_novice_exporter(Variable):
    value_type = bool
    entity = Company
    definition_period = DateUnit.YEAR
    label = "Predicate novice_exporter: exports last year below the ceiling"

    def formula(company, period, parameters):
        return company("exports_usd", period.last_year) < parameters(period).export.novice_below_usd


class received_export_voucher_recently(Variable):
    value_type = bool
    entity = Company
    definition_period = DateUnit.YEAR
    label = 'received_within("export-voucher", n): awarded in (as-of - n years, as-of]'

    def formula(company, period, parameters):
        years = int(parameters(period).export.voucher_window_years)
        start = np.datetime64(AS_OF.replace(year=AS_OF.year - years))
        last = company("last_voucher_on", period)
        return (last > start) & (last <= np.datetime64(AS_OF))


class is_manufacturer(Variable):
    value_type = bool
    entity = Company
    definition_period = DateUnit.ETERNITY
    label = "Predicate manufacturer: ksic prefix_in C"

    def formula(company, period, parameters):
        return ksic_prefix_in(company, period, parameters(PERIOD).industry.manufacturing)


class is_ict(Variable):
    value_type = bool
    entity = Company
    definition_period = DateUnit.ETERNITY
    label = "ksic prefix_in J58, J61, J62, J63"

    def formula(company, period, parameters):
        return ksic_prefix_in(company, period, parameters(PERIOD).industry.ict)


class targets_priority_market(Variable):
    value_type = bool
    entity = Company
    definition_period = DateUnit.YEAR
    label = "target_countries intersects the priority markets"

    def formula(company, period, parameters):
        wanted = country_mask(parameters(period).export.priority_markets)
        return (company("target_country_mask", period) & wanted) != 0


INTERMEDIATE_VARIABLES = [age_years, is_sme, is_novice_exporter, received_export_voucher_recently, is_manufacturer,
                          is_ict, targets_priority_market]


# ------------------------------------------------------------------------------ the 20 programs
# Each function gets the entity, the period and the parameters at that period and returns a
# boolean array. `c(name)` is shorthand for company(name, period).
def program_rules():
    def p01(c, t, p):
        return c("is_sme") & c("is_novice_exporter") & region_is(c.entity, t, "26") & (c("age_years") >= 1) \
            & ~c("received_export_voucher_recently")

    def p02(c, t, p):
        return c("is_sme") & c("is_novice_exporter") & c("targets_priority_market")

    def p03(c, t, p):
        return c("is_sme") & c("is_manufacturer")

    def p04(c, t, p):
        return c("is_sme") & c("is_ict") & (c("age_years") <= 7)

    def p05(c, t, p):
        return c("venture_certified") & (won(c.entity, "rnd_spend_krw", t.last_year) >= 300_000_000)

    def p06(c, t, p):
        exports = c.last_year("exports_usd")
        return c("is_sme") & (exports >= 1_000_000) & (exports <= 9_999_999)

    def p07(c, t, p):
        return c("is_sme") & region_is(c.entity, t, "41") & (c("employees") >= 10)

    def p08(c, t, p):
        return c("is_sme") & ksic_prefix_in(c.entity, t, p.industry.bio) \
            & (won(c.entity, "rnd_spend_krw", t.last_year) >= 600_000_000)

    def p09(c, t, p):
        return (c("age_years") <= 3) & (c("employees") < 50)

    def p10(c, t, p):
        return c("is_sme") & region_is(c.entity, t, "26", "31", "29")

    def p11(c, t, p):
        return c("is_sme") & c("is_novice_exporter") & (c.last_year("exports_usd") > 0)

    def p12(c, t, p):
        return c("is_sme") & ~region_is(c.entity, t, "11", "41") & (c("age_years") >= 3)

    def p13(c, t, p):
        return c("venture_certified") & c("targets_priority_market")

    def p14(c, t, p):
        return c("is_sme") & (won(c.entity, "revenue_krw", t.last_year) < 10_000_000_000) & (c("employees") >= 5)

    def p15(c, t, p):
        return c("is_sme") & c("is_manufacturer") & region_is(c.entity, t, "27")

    def p16(c, t, p):
        return c("is_sme") & ~c("received_export_voucher_recently") & (c.last_year("exports_usd") >= 100_000)

    def p17(c, t, p):
        return (c("employees") < 300) & (won(c.entity, "rnd_spend_krw", t.last_year) > 1_000_000_000)

    def p18(c, t, p):
        age = c("age_years")
        return c("is_sme") & (age >= 1) & (age <= 7) & c("venture_certified")

    def p19(c, t, p):
        return c("is_sme") & c("is_ict") & c("targets_priority_market")

    def p20(c, t, p):
        return c("is_sme") & region_is(c.entity, t, "28") & c("is_novice_exporter") \
            & ~c("received_export_voucher_recently")

    return [p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p20]


class At:
    """Reads variables of one entity at one period (and the year before)."""

    def __init__(self, entity, period):
        self.entity, self.period = entity, period

    def __call__(self, name):
        return self.entity(name, self.period)

    def last_year(self, name):
        return self.entity(name, self.period.last_year)


def eligibility_variable(name, rule, label):
    def formula(company, period, parameters):
        return rule(At(company, period), period, parameters(period))

    return type(name, (Variable,), dict(value_type=bool, entity=Company, definition_period=DateUnit.YEAR,
                                        label=label, formula=formula))


def build_system(copies):
    rules = program_rules()
    names, variables = [], []
    for copy in range(copies):
        for i, rule in enumerate(rules, start=1):
            name = f"eligible_p{i:02d}" + (f"_c{copy}" if copy else "")
            names.append(name)
            variables.append(eligibility_variable(name, rule, f"Eligible for program p{i:02d} (copy {copy})"))
    system = TaxBenefitSystem([Company])
    system.parameters = ParameterNode("", data=PARAMETERS)
    system.add_variables(*INPUT_VARIABLES, *INTERMEDIATE_VARIABLES, *variables)
    return system, names


# --------------------------------------------------------------------------------- data
def read_companies(path):
    """The CSV as one numpy string column per field."""
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    table = np.loadtxt(path, dtype=str, delimiter=",", skiprows=1, ndmin=2, comments=None)
    return {name: table[:, i] for i, name in enumerate(header)}


def split_won(column):
    amount = np.where(column == "", "0", column).astype(np.int64)
    assert amount.max(initial=0) < 1000 * 2**31, "amount too large for the thousands/remainder encoding"
    return (amount // 1000).astype(np.int32), (amount % 1000).astype(np.int32)


def encode(raw):
    """Input arrays for set_input, keyed by variable name (missing optional facts -> defaults)."""
    for codes in raw["target_countries"]:
        for code in codes.split(";") if codes else ():
            COUNTRY_BIT.setdefault(code, len(COUNTRY_BIT))
    for code in PARAMETERS["export"]["priority_markets"]["values"]["2023-01-01"]["value"]:
        COUNTRY_BIT.setdefault(code, len(COUNTRY_BIT))
    if len(COUNTRY_BIT) > 31:
        sys.exit("more than 31 distinct target countries; the int32 mask cannot hold them")

    def enum_column(enum_cls, column, prefix=""):
        lookup = {prefix + m.name[len(prefix):]: i for i, m in enumerate(enum_cls)}
        return np.array([lookup[prefix + v] for v in column], dtype=np.int16)

    rev_k, rev_r = split_won(raw["revenue_krw"])
    rnd_k, rnd_r = split_won(raw["rnd_spend_krw"])
    voucher = np.where(raw["last_voucher_on"] == "", "1970-01-01", raw["last_voucher_on"]).astype("datetime64[D]")
    return {
        "employees": raw["employees"].astype(np.int32),
        "revenue_krw_thousands": rev_k,
        "revenue_krw_remainder": rev_r,
        "exports_usd": raw["exports_usd"].astype(np.int64).astype(np.int32),
        "founded_on": raw["founded_on"].astype("datetime64[D]"),
        "region": enum_column(Region, np.char.add("r", raw["region"])),
        "ksic_code": np.array([ksic_int(k) for k in raw["ksic"]], dtype=np.int32),
        "export_stage": enum_column(ExportStage, raw["export_stage"]),
        "size_class": enum_column(SizeClass, raw["size_class"]),
        "target_country_mask": np.array([country_mask(s.split(";")) if s else 0 for s in raw["target_countries"]],
                                        dtype=np.int32),
        "venture_certified": raw["venture_certified"] == "1",
        "rnd_spend_krw_thousands": rnd_k,
        "rnd_spend_krw_remainder": rnd_r,
        "last_voucher_on": voucher,
    }


def simulate(system, names, inputs):
    n = len(inputs["employees"])
    sim = SimulationBuilder().build_default_simulation(system, n)
    for name, values in inputs.items():
        period = "ETERNITY" if name in ETERNAL else "2025" if name in LAST_YEAR else PERIOD
        sim.set_input(name, period, values)
    return [sim.calculate(name, PERIOD) for name in names]


def timed(fn, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


# ------------------------------------------------------------ independent plain-Python check
def reference_counts(raw):
    """The 20 rules once more, row by row on the CSV strings, with no OpenFisca and no numpy
    encoding: a check that the model above says what rules20.gdr says."""
    counts = [0] * 20
    cutoff = AS_OF.replace(year=AS_OF.year - 2)
    markets = {"US", "VN", "ID", "MY", "TH", "PH"}
    n = len(raw["employees"])
    for i in range(n):
        emp = int(raw["employees"][i])
        rev = int(raw["revenue_krw"][i])
        exp = int(raw["exports_usd"][i])
        f = datetime.date.fromisoformat(str(raw["founded_on"][i]))
        age = AS_OF.year - f.year - ((f.month, f.day) > (AS_OF.month, AS_OF.day))
        reg = str(raw["region"][i])
        ksic = str(raw["ksic"][i])
        sme = raw["size_class"][i] in ("micro", "small", "medium")
        novice = exp < 100_000
        tgt = set(raw["target_countries"][i].split(";")) - {""}
        ven = raw["venture_certified"][i] == "1"
        rnd = int(raw["rnd_spend_krw"][i]) if raw["rnd_spend_krw"][i] else None
        lv = raw["last_voucher_on"][i]
        recent = bool(lv) and cutoff < datetime.date.fromisoformat(str(lv)) <= AS_OF
        ict = ksic in ("J58", "J61", "J62", "J63")
        manu = ksic.startswith("C")
        mk = bool(tgt & markets)
        ok = [
            sme and novice and reg == "26" and age >= 1 and not recent,
            sme and novice and mk,
            sme and manu,
            sme and ict and age <= 7,
            ven and rnd is not None and rnd >= 300_000_000,
            sme and 1_000_000 <= exp <= 9_999_999,
            sme and reg == "41" and emp >= 10,
            sme and ksic in ("C21", "M72") and rnd is not None and rnd >= 600_000_000,
            age <= 3 and emp < 50,
            sme and reg in ("26", "31", "29"),
            sme and novice and exp > 0,
            sme and reg not in ("11", "41") and age >= 3,
            ven and mk,
            sme and rev < 10_000_000_000 and emp >= 5,
            sme and manu and reg == "27",
            sme and not recent and exp >= 100_000,
            emp < 300 and rnd is not None and rnd > 1_000_000_000,
            sme and 1 <= age <= 7 and ven,
            sme and ict and mk,
            sme and reg == "28" and novice and not recent,
        ]
        for j, v in enumerate(ok):
            counts[j] += v
    return counts


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    big = "--big" in sys.argv
    check = "--no-check" not in sys.argv
    if len(args) != 1:
        sys.exit("usage: openfisca_side.py companies.csv [--big] [--no-check]")
    raw = read_companies(args[0])
    inputs = encode(raw)
    n = len(inputs["employees"])
    print(f"openfisca-core {version('openfisca-core')}, numpy {np.__version__}, N={n}, period {PERIOD}, as of {AS_OF}")

    start = time.perf_counter()
    system, names = build_system(1)
    system_ms = (time.perf_counter() - start) * 1e3

    build_times, _ = timed(lambda: simulate(system, [], inputs), 3)
    batch_times, results = timed(lambda: simulate(system, names, inputs), 3)
    counts = [int(np.count_nonzero(r)) for r in results]
    batch_ms = statistics.median(batch_times) * 1e3
    print(f"batch {n} x 20: build+set_input median {statistics.median(build_times) * 1e3:.1f} ms; "
          f"build+compute median {batch_ms:.1f} ms (min {min(batch_times) * 1e3:.1f} ms)")

    simulate(system, names, {k: v[:1] for k, v in inputs.items()})  # warm-up (first-call caches)
    singles = []
    for i in range(min(50, n)):
        one = {k: v[i:i + 1] for k, v in inputs.items()}
        t, _ = timed(lambda: simulate(system, names, one), 1)
        singles.extend(t)
    single_us = statistics.median(singles) * 1e6
    print(f"single 1 x 20: median {single_us:.0f} us over {len(singles)} companies (min {min(singles) * 1e6:.0f} us)")

    out = {
        "engine": f"openfisca-core {version('openfisca-core')}",
        "n": n,
        "system_build_ms": round(system_ms, 2),
        "build_ms": round(statistics.median(build_times) * 1e3, 3),
        "batch_ms": round(batch_ms, 3),
        "batch_min_ms": round(min(batch_times) * 1e3, 3),
        "single_us": round(single_us, 2),
        "single_min_us": round(min(singles) * 1e6, 2),
        "counts": counts,
        "missing_as": "OpenFisca has no missing values: missing venture_certified = False, rnd_spend_krw = 0",
    }

    if big:
        start = time.perf_counter()
        big_system, big_names = build_system(COPIES_BIG)
        big_system_ms = (time.perf_counter() - start) * 1e3
        big_times, big_results = timed(lambda: simulate(big_system, big_names, inputs), 1)
        big_counts = [int(np.count_nonzero(r)) for r in big_results]
        out["big_system_build_ms"] = round(big_system_ms, 1)
        out["big_ms"] = round(big_times[0] * 1e3, 1)
        out["big_programs"] = len(big_names)
        out["big_counts_ok"] = big_counts == counts * COPIES_BIG
        print(f"big {n} x {len(big_names)}: system build {big_system_ms:.0f} ms, build+compute {out['big_ms']:.0f} ms, "
              f"copies agree: {out['big_counts_ok']}")
        del big_results

    if check:
        ref = reference_counts(raw)
        out["reference_counts_match"] = ref == counts
        print(f"plain-Python reference evaluator agrees with the OpenFisca model: {ref == counts}")
        if ref != counts:
            print("  reference:", ref)
            print("  openfisca:", counts)

    print("eligible counts:", " ".join(f"p{i:02d}={c}" for i, c in enumerate(counts, start=1)))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
