"""Embedding medcalc in another program: load the tariffs, estimate, print the explanation.

    .venv/bin/python examples/embed.py

A poor resident (建档立卡) of Qingcheng: the 2019 premiums, then two hospital stays in 2019
through basic insurance, critical-illness insurance and medical assistance. The results are
printed as the versioned JSON documents (``medcalc/premiums@1``, ``medcalc/claims@1``) that
carry their own explanation: tariff version and sha256, profiles, segments, accumulations.
"""

from __future__ import annotations

import datetime as dt
import json

from medcalc import Calculator, Claim, Person, claims_json, load_book, parse_amount, premiums_json

SERIES = "qingyuan-qingcheng"


def main() -> None:
    book = load_book()  # the bundled tables, plus MEDCALC_TARIFFS if set
    calc = Calculator(book)  # reuse one calculator for many people
    person = Person(
        categories={"poverty"},
        birth_date=dt.date(1975, 4, 12),
        person_id="P001",
    )

    premiums = calc.premiums(SERIES, person, 2019)
    print(json.dumps(premiums_json(premiums), ensure_ascii=False, indent=2))

    # Amounts are Decimal, never float; parse_amount reads user text exactly.
    claims = [
        Claim(dt.date(2019, 9, 14), parse_amount("72,000.00", field="compliant"), "level_3",
              total=parse_amount("86000", field="total"), claim_id="C0002"),
        Claim(dt.date(2019, 2, 20), parse_amount("38000", field="compliant"), "level_2",
              claim_id="C0001"),
    ]  # fmt: skip
    result = calc.claims(SERIES, person, claims)
    print(json.dumps(claims_json(result), ensure_ascii=False, indent=2))

    year = result.years[0]
    print(
        f"{year.year}: basic {year.basic}, critical illness {year.critical_illness}, "
        f"assistance {year.assistance}, out of pocket {year.out_of_pocket}"
    )


if __name__ == "__main__":
    main()
