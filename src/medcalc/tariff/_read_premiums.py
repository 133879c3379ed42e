"""Reading the premium sections: ``enrollment``, ``medical_premium`` and ``pension_premium``.

Each section reader gets the section's keys, already checked against its entry in
``TARIFF_SECTIONS`` (unknown, duplicate and missing keys reported), and returns the section, or
``None`` after reporting its problems.
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast, get_args

from yaml.nodes import Node, ScalarNode

from medcalc.messages import say
from medcalc.tariff._model import (
    ALL_GRADES_RESERVED,
    AmountPayment,
    BenefitsStart,
    CategoryPayment,
    Enrollment,
    FullPayment,
    GovernmentPayment,
    MedicalPremium,
    PensionGrade,
    PensionPremium,
    SharePayment,
)
from medcalc.tariff._read_declared import DeclarationReader
from medcalc.tariff._read_values import Fields, suggest
from medcalc.tariff._sections import Key
from medcalc.tariff._yaml import INVALID, describe

__all__ = ["PremiumReader"]


class PremiumReader(DeclarationReader):
    """Reads the premium sections (资助参保 and 代缴) and when benefits start."""

    def enrollment(self, f: Fields, ctx: str) -> Enrollment | None:
        """``enrollment``: when benefits start after paying, and who is exempt (待遇享受起始日)."""
        start = self.req(
            f, Key.BENEFITS_START, lambda n, c: self.choice(n, c, get_args(BenefitsStart)), ctx
        )
        has_exempt, exempt = self.opt(f, Key.EXEMPT, self.category_list, ctx)
        if start is None or (has_exempt and exempt is None):
            return None
        return Enrollment(cast(BenefitsStart, start), exempt or ())

    def government_pays(self, node: Node, ctx: str) -> tuple[CategoryPayment, ...] | None:
        out: list[CategoryPayment] = []
        entries, ok = self.keyed(node, ctx, "full | {share: q} | {amount: a}")
        for cid, _key, value in entries:
            payment = self.payment(value, f"{ctx}.{cid}")
            if payment is None:
                ok = False
            else:
                out.append(CategoryPayment(cid, payment))
        return tuple(out) if ok else None

    def payment(self, node: Node, ctx: str) -> GovernmentPayment | None:
        expected = say("what.payment")
        if isinstance(node, ScalarNode) and node.tag != INVALID:
            if node.tag == "str" and node.value == Key.FULL:
                return FullPayment()
            close = suggest(node.value, [Key.FULL]) if node.tag == "str" else ""
            found = describe(node)
            if close:
                self.at_key(
                    node,
                    ctx,
                    "expected.value_hint",
                    expected=expected,
                    found=found,
                    choice=Key.FULL,
                )
            else:
                self.at_key(node, ctx, "expected.value", expected=expected, found=found)
            return None
        what = say("what.payment_mapping")
        f = self.fields(node, ctx, node, (), (Key.SHARE, Key.AMOUNT), what)
        if f is None:
            return None
        if len(f) == 2 or not node.value:
            self.at_key(node, ctx, "premiums.one_of")
            return None
        if not f:
            return None  # only unknown keys, already reported
        if Key.SHARE in f:
            share = self.unit(f[Key.SHARE][1], f"{ctx}.share", "what.share")
            return None if share is None else SharePayment(share)
        amount = self.amount(f[Key.AMOUNT][1], f"{ctx}.amount")
        return None if amount is None else AmountPayment(amount)

    def medical_premium(self, f: Fields, ctx: str) -> MedicalPremium | None:
        """``medical_premium``: the contribution and what the government pays (资助参保)."""
        contribution = self.req(f, Key.CONTRIBUTION, self.amount, ctx)
        pays = self.req(f, Key.GOVERNMENT_PAYS, self.government_pays, ctx)
        source = self.req(f, Key.SOURCE, self.source_ref, ctx)
        if contribution is None or pays is None or source is None:
            return None
        return MedicalPremium(contribution, pays, source)

    def pension_premium(self, f: Fields, ctx: str) -> PensionPremium | None:
        """``pension_premium``: ages, grades with subsidies, government payment (代缴)."""
        ages = self.ages(f[Key.AGES], f"{ctx}.ages") if Key.AGES in f else None
        grades = self.req(f, Key.GRADES, self.pension_grades, ctx)
        pays = self.req(f, Key.GOVERNMENT_PAYS, self.government_pays, ctx)
        has_monthly, monthly = self.opt(f, Key.BASIC_PENSION_MONTHLY, self.amount, ctx)
        source = self.req(f, Key.SOURCE, self.source_ref, ctx)
        if (
            ages is None
            or grades is None
            or pays is None
            or source is None
            or (has_monthly and monthly is None)
        ):
            return None
        return PensionPremium(ages[0], ages[1], grades, pays, source, monthly)

    def ages(self, kv: tuple[Node, Node], ctx: str) -> tuple[int, int] | None:
        f = self.fields(kv[1], ctx, kv[0], (Key.FROM, Key.TO), (), " {from: 16, to: 59}")
        if f is None:
            return None
        low = self.req(f, Key.FROM, lambda n, c: self.integer(n, c, 0, 150), ctx)
        high = self.req(f, Key.TO, lambda n, c: self.integer(n, c, 0, 150), ctx)
        if low is None or high is None:
            return None
        if low > high:
            self.at_key(f[Key.TO][1], ctx, "premiums.ages", low=low, high=high)
            return None
        return low, high

    def pension_grades(self, node: Node, ctx: str) -> tuple[PensionGrade, ...] | None:
        amounts: set[Decimal] = set()  # those built so far; a set keeps a long list linear

        def grade(_: str, ictx: str, f: Fields, __: Node) -> PensionGrade | None:
            amount = self.req(f, Key.AMOUNT, self.amount, ictx)
            subsidy = self.req(f, Key.SUBSIDY, self.amount, ictx)
            has_for, reserved = self.opt(f, Key.FOR, self.category_list, ictx)
            if amount is not None and amount in amounts:
                # The grade is chosen by its amount, so two grades of one amount are ambiguous.
                self.at_key(
                    f[Key.AMOUNT][1], f"{ictx}.amount", "premiums.grade_twice", amount=amount
                )
                amount = None
            if amount is None or subsidy is None or (has_for and reserved is None):
                return None
            amounts.add(amount)
            return PensionGrade(amount, subsidy, reserved)

        out, ok = self.each(
            self.listed(node, ctx, say("what.grades")),
            (Key.AMOUNT, Key.SUBSIDY),
            (Key.FOR,),
            " {amount: ..., subsidy: ...}",
            grade,
        )
        if ok and out and all(g.reserved_for is not None for g in out):
            self.at(node, say("at", where=ctx, message=ALL_GRADES_RESERVED))
            ok = False
        return tuple(out) if ok and out else None
