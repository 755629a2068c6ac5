"""The pay formula language (C-18): a small, safe arithmetic over named inputs, evaluated in Decimal.

A formula is parsed with `ast.parse(text, mode="eval")` and only these nodes are accepted:

- numeric constants (int or decimal literals, at most 15 digits; no strings, no booleans, no complex numbers);
- names of declared inputs (see `pay.inputs.INPUTS`);
- the operators + − × ÷ (`+ - * /`), unary minus and plus, parentheses;
- calls of `min(a, b, …)`, `max(a, b, …)` and `round(x, n)` (n a whole constant 0…6, ROUND_HALF_UP).

Everything else — attribute access, subscripts, `**`, `//`, `%`, comparisons, lambdas, comprehensions, strings,
keyword arguments, any other call (`__import__('os')`) — is refused at save time with «公式有误：…». User text is
never passed to eval/exec/compile: the tree is walked by `_eval` below.

Errors are values: evaluating never raises for a bad input; it returns a `Result` whose `error` is one of
«未知输入 x», «缺少输入：x», «除数为零», «公式有误：…».
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

MAX_LENGTH = 500
MAX_DIGITS = 15
MAX_NODES = 200
FUNCTIONS = ("min", "max", "round")


class FormulaError(Exception):
    """A formula that cannot be evaluated; `message` is shown on the line or the form as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Missing:
    """An input without a value; `note` explains why (e.g. «参数未设定»)."""

    note: str = ""


@dataclass(frozen=True)
class Result:
    value: Decimal | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _syntax(detail: str) -> FormulaError:
    return FormulaError(f"公式有误：{detail}")


def parse(text: str, *, known: Iterable[str] | None = None) -> ast.Expression:
    """The checked syntax tree of `text`; FormulaError when it uses anything outside the language, or (with
    `known`) a name that is not a declared input."""
    text = (text or "").strip()
    if not text:
        raise _syntax("公式为空")
    if len(text) > MAX_LENGTH:
        raise _syntax(f"公式过长（最多 {MAX_LENGTH} 个字符）")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise _syntax(f"第 {exc.offset or 1} 个字符附近语法错误") from None
    except (ValueError, RecursionError, MemoryError):
        raise _syntax("无法解析") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise _syntax("公式过于复杂")
    allowed = set(known) if known is not None else None
    for node in nodes:
        _check(node, allowed)
    return tree


def _check(node: ast.AST, allowed: set[str] | None) -> None:
    if isinstance(node, ast.Expression | ast.Load):
        return
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _syntax("只能使用数字常量")
        text = repr(value).lower()
        if "e" in text or "inf" in text or "nan" in text or len(text.replace(".", "").lstrip("0")) > MAX_DIGITS:
            raise _syntax("数字过大")
        return
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            return  # checked with its call
        if allowed is not None and node.id not in allowed:
            raise FormulaError(f"未知输入 {node.id}")
        return
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
            raise _syntax("只能使用 + - * / 运算")
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise _syntax("只能使用正负号")
        return
    if isinstance(node, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.USub | ast.UAdd):
        return
    if isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            raise _syntax("只能调用 min()、max()、round()")
        if node.keywords:
            raise _syntax("函数不接受命名参数")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise _syntax("不支持 * 展开")
        if func.id == "round":
            if len(node.args) != 2:
                raise _syntax("round(x, n) 需要两个参数")
            places = node.args[1]
            if not (
                isinstance(places, ast.Constant)
                and isinstance(places.value, int)
                and not isinstance(places.value, bool)
                and 0 <= places.value <= 6
            ):
                raise _syntax("round 的位数须为 0 至 6 的整数")
        elif len(node.args) < 2:
            raise _syntax(f"{func.id}() 至少需要两个参数")
        return
    raise _syntax(f"不支持的写法（{type(node).__name__}）")


def names(text: str) -> list[str]:
    """The input names a (valid) formula reads, in order of first use."""
    tree = parse(text)
    seen: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS and node.id not in seen:
            seen.append(node.id)
    return seen


def validate(text: str, *, known: Iterable[str]) -> None:
    """Save-time check: syntax, allowed nodes and declared names (FormulaError with the message for the form)."""
    parse(text, known=known)


def evaluate(text: str, values: Mapping[str, Decimal | Missing | None]) -> Result:
    """Evaluate `text` over `values` (a name → Decimal; None or `Missing` = no value). Never raises."""
    try:
        tree = parse(text, known=values.keys())
        with localcontext() as ctx:
            ctx.prec = 28
            value = _eval(tree.body, values)
        return Result(value)
    except FormulaError as exc:
        return Result(None, exc.message)
    except (InvalidOperation, OverflowError, RecursionError, MemoryError):
        return Result(None, "公式有误：计算结果无效")


def _eval(node: ast.AST, values: Mapping[str, Decimal | Missing | None]) -> Decimal:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        raw = values.get(node.id)
        if raw is None or isinstance(raw, Missing):
            note = f"（{raw.note}）" if isinstance(raw, Missing) and raw.note else ""
            raise FormulaError(f"缺少输入：{node.id}{note}")
        return Decimal(raw)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left = _eval(node.left, values)
        right = _eval(node.right, values)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise FormulaError("除数为零")
        return left / right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "round":
            places = int(node.args[1].value)  # type: ignore[attr-defined]
            return _eval(node.args[0], values).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        args = [_eval(a, values) for a in node.args]
        return min(args) if node.func.id == "min" else max(args)
    raise _syntax("不支持的写法")  # unreachable after parse()
