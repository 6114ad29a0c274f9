"""Benchmark of the pure rules core: situations per second for in-process `simulate`.

    python bench/simulate_core.py --n 10000 --seed 0

`generate_situations(n, seed)` is reusable by other benches (valid situations, deterministic).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemes.core import simulate  # noqa: E402

CATEGORIES = {
    "INAC": ["ecommerce_site", "crm", "erp", "data", "cloud", "hardware", "showcase_site"],
    "INESS": ["ecommerce_site", "crm", "erp", "collaboration", "hardware", "consumer_software"],
    "PDL-IN": ["erp", "crm", "ecommerce_site", "mobile_app", "hardware", "cybersecurity"],
    "IDF-CN2": ["commerce_solution", "solution_training", "communication", "collective_training"],
}
DEPARTMENTS = {
    "INAC": ["02", "59", "60", "62", "80"],
    "INESS": ["02", "59", "60", "62", "80"],
    "PDL-IN": ["44", "49", "53", "72", "85"],
    "IDF-CN2": ["75", "77", "78", "91", "92", "93", "94", "95"],
}
NAFS = ["47.71Z", "10.71C", "25.62B", "43.21A", "56.10A", "95.23Z", "46.90Z", "69.20Z"]


def _day(rnd: random.Random, start: tuple[int, int], end: tuple[int, int]) -> str:
    year = rnd.randint(start[0], end[0])
    month = rnd.randint(1, 12)
    if (year, month) < start:
        year, month = start
    if (year, month) > end:
        year, month = end
    return f"{year:04d}-{month:02d}-{rnd.randint(1, 28):02d}"


def _expenses(rnd: random.Random, scheme: str) -> list[dict[str, Any]]:
    out = []
    for _ in range(rnd.randint(1, 6)):
        category = rnd.choice(CATEGORIES[scheme])
        line: dict[str, Any] = {
            "category": category,
            "amount": f"{rnd.randint(100, 1500000) / 100:.2f}",
        }
        if category == "hardware":
            line["device"] = rnd.choice(["computer", "tablet", "smartphone"])
            line["amount"] = f"{rnd.randint(20000, 200000) / 100:.2f}"
        elif rnd.random() < 0.3:
            line["mode"] = "subscription"
            line["months"] = rnd.choice([6, 12, 24, 36])
        elif rnd.random() < 0.05:
            line["mode"] = "leasing"
        out.append(line)
    return out


def generate_situations(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """`n` valid situations across the four schemes, the same for the same seed."""
    rnd = random.Random(seed)
    schemes = ["INAC", "INESS", "PDL-IN", "IDF-CN2"]
    situations = []
    for i in range(n):
        scheme = schemes[i % 4]
        if scheme == "IDF-CN2":
            applicant: dict[str, Any] = {
                "kind": rnd.choice(["commune", "intercommunality"]),
                "department": rnd.choice(DEPARTMENTS[scheme]),
            }
            filed_on = _day(rnd, (2020, 4), (2024, 12))
        else:
            applicant = {
                "kind": "company",
                "legal_form": "SCOP" if scheme == "INESS" else rnd.choice(["SARL", "SAS", "EI"]),
                "naf": rnd.choice(NAFS),
                "department": rnd.choice(DEPARTMENTS[scheme]),
                "created_on": _day(rnd, (1990, 1), (2021, 12)),
                "headcount": rnd.randint(0, 60),
                "turnover": str(rnd.randint(20000, 3000000)),
                "registered_rcs": True,
                "region_share": rnd.choice(["1", "1", "1", "0.6"]),
            }
            filed_on = (
                _day(rnd, (2021, 11), (2022, 12))
                if scheme in ("INAC", "INESS")
                else _day(rnd, (2019, 6), (2025, 6))
            )
        history: dict[str, Any] = {"de_minimis": [], "applications": []}
        if rnd.random() < 0.3:
            history["de_minimis"].append(
                {"granted_on": "2021-06-01", "amount": str(rnd.randint(1000, 210000))}
            )
        if rnd.random() < 0.2:
            history["applications"].append(
                {
                    "scheme": scheme,
                    "filed_on": "2020-02-01",
                    "acknowledged_on": "2020-02-20",
                    "awarded": str(rnd.randint(1000, 15000)),
                }
            )
        situations.append(
            {
                "scheme": scheme,
                "filed_on": filed_on,
                "applicant": applicant,
                "project": {
                    "expense_basis": rnd.choice(["HT", "TTC"]) if scheme == "IDF-CN2" else "HT",
                    "expenses": _expenses(rnd, scheme),
                    "other_public_funding": rnd.choice(["0", "0", "0", "2000"]),
                },
                "history": history,
            }
        )
    return situations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    situations = generate_situations(args.n, args.seed)
    start = time.perf_counter()
    results = simulate(situations)
    elapsed = time.perf_counter() - start
    eligible = sum(1 for r in results if r["eligible"])
    print(
        f"{args.n} situations in {elapsed:.3f} s: {args.n / elapsed:,.0f} situations/s "
        f"({eligible} eligible)"
    )


if __name__ == "__main__":
    main()
