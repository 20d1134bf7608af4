"""RVC formulas: declared once in sympy, compiled once to exact Python, solved for headroom.

Each formula is written as the regulation writes it, e.g. r 36(1)
``RVC = (AV - VNM) / AV * 100``. From that one expression we get

* text and LaTeX for explanations,
* an evaluator compiled once with a printer that emits ``Fraction`` for every rational
  constant (sympy's own ``lambdify`` prints ``3/5`` as a float literal, which would put
  a float into a legal test), and
* headroom: the boundary value of each input at which the RVC equals a threshold,
  solved symbolically once per (formula, input) and compiled the same way.

>>> f = Formula.define("build-down", "(AV - VNM) / AV * 100",
...                    {"AV": "adjusted value", "VNM": "value of non-originating materials"})
>>> f.evaluate({"AV": Fraction(685, 100), "VNM": Fraction(411, 100)})
Fraction(40, 1)
>>> f.boundary("VNM", Fraction(40), {"AV": Fraction(1000)})
Fraction(600, 1)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import attrs
import sympy
from sympy.printing.pycode import PythonCodePrinter

THRESHOLD = sympy.Symbol("T", positive=True)


class FormulaError(ArithmeticError):
    """A formula could not be evaluated (e.g. a zero denominator) or solved."""


class _ExactPrinter(PythonCodePrinter):  # type: ignore[misc]
    """Prints rationals as ``Fraction(p, q)`` and refuses floats outright."""

    def _print_Rational(self, expr: sympy.Rational) -> str:
        return f"Fraction({expr.p}, {expr.q})"

    def _print_Half(self, expr: sympy.Rational) -> str:
        return self._print_Rational(expr)

    def _print_Float(self, expr: sympy.Float) -> str:
        raise FormulaError(f"float literal {expr} in a legal formula")


def _compile(expr: sympy.Expr, symbols: tuple[sympy.Symbol, ...]) -> Callable[..., Any]:
    return sympy.lambdify(  # type: ignore[no-any-return]
        symbols,
        expr,
        modules=[{"Fraction": Fraction}, "math"],
        printer=_ExactPrinter({"fully_qualified_modules": False, "inline": True}),
        cse=False,
    )


@attrs.frozen
class Boundary:
    """Where an input must stay for the RVC to reach the threshold."""

    symbol: str
    value: Fraction
    direction: str  # "at most" or "at least"


@attrs.frozen(eq=False)
class Formula:
    """One RVC formula of one agreement (the citation is attached by the agreement)."""

    name: str
    expr: sympy.Expr
    symbols: tuple[sympy.Symbol, ...]
    meanings: Mapping[str, str]
    _evaluate: Callable[..., Any]

    @classmethod
    def define(cls, name: str, text: str, meanings: Mapping[str, str]) -> Formula:
        symbols = tuple(sympy.Symbol(s, positive=True) for s in meanings)
        expr = sympy.sympify(text, locals={s.name: s for s in symbols}, rational=True)
        free = {s.name for s in expr.free_symbols}
        if free != set(meanings):
            raise FormulaError(f"formula {name!r}: symbols {sorted(free)} != {sorted(meanings)}")
        return cls(name, expr, symbols, dict(meanings), _compile(expr, symbols))

    @property
    def text(self) -> str:
        return _text(self)

    @property
    def latex(self) -> str:
        return _latex(self)

    def evaluate(self, values: Mapping[str, Fraction]) -> Fraction:
        args = [_fraction(values[s.name]) for s in self.symbols]
        try:
            result = self._evaluate(*args)
        except ZeroDivisionError as error:
            raise FormulaError(f"{self.name}: a denominator is zero ({error})") from None
        if not isinstance(result, Fraction | int):
            raise FormulaError(f"{self.name}: evaluation left exact arithmetic ({result!r})")
        return _fraction(result)

    def boundary(
        self, symbol: str, threshold: Fraction, values: Mapping[str, Fraction]
    ) -> Fraction:
        """The value of ``symbol`` at which the RVC equals ``threshold``, others fixed."""
        solved, others = _solve(self, symbol)
        args = [_fraction(values[name]) for name in others]
        try:
            return _fraction(solved(_fraction(threshold), *args))
        except ZeroDivisionError:
            raise FormulaError(f"{self.name}: no boundary for {symbol} here") from None

    def headroom(
        self, symbol: str, threshold: Fraction, values: Mapping[str, Fraction]
    ) -> Boundary:
        """Boundary plus which side of it passes (from the sign of the derivative)."""
        value = self.boundary(symbol, threshold, values)
        rising = _rising(self, symbol)
        return Boundary(symbol, value, "at least" if rising else "at most")


def _fraction(value: Any) -> Fraction:
    """``Fraction(value)``, without rebuilding one that is already a Fraction (the check of
    its type through the numbers ABCs cost more than the arithmetic)."""
    return value if type(value) is Fraction else Fraction(value)


# Printed once per formula: sympy's printers take ≈ 0.3 ms a formula, more than the rest
# of a 30-line determination. A formula is immutable and defined once per law file.
@functools.cache
def _text(formula: Formula) -> str:
    return f"RVC = {sympy.sstr(formula.expr)}"


@functools.cache
def _latex(formula: Formula) -> str:
    return f"RVC = {sympy.latex(formula.expr)}"


@functools.cache
def _solve(formula: Formula, symbol: str) -> tuple[Callable[..., Any], tuple[str, ...]]:
    target = next(s for s in formula.symbols if s.name == symbol)
    solutions = sympy.solve(sympy.Eq(formula.expr, THRESHOLD), target)
    if len(solutions) != 1:
        raise FormulaError(f"{formula.name}: {symbol} has {len(solutions)} solutions")
    others = tuple(s for s in formula.symbols if s is not target)
    return _compile(solutions[0], (THRESHOLD, *others)), tuple(s.name for s in others)


@functools.cache
def _rising(formula: Formula, symbol: str) -> bool:
    """Whether the RVC grows with ``symbol`` (all inputs are positive amounts)."""
    target = next(s for s in formula.symbols if s.name == symbol)
    derivative = sympy.simplify(sympy.diff(formula.expr, target))
    if derivative.is_positive:
        return True
    if derivative.is_negative:
        return False
    # Sign depends on the other inputs; decide it at a point where every input is 1
    # except the ones a build-down formula subtracts, which the law keeps below AV.
    probe = derivative.subs(dict.fromkeys(formula.symbols, 1))
    return bool(probe > 0)
