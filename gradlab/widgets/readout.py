"""The text under an explorer: ``{name:digits}`` templates filled the way the browser's script fills them.

Both renderers fill the readout, the slider texts and the changing titles from one template
language, so the kernel's words match the browser's to the character: ``{name}`` as
JavaScript prints a number, ``{name:4}`` with 4 decimals (never "-0.0000"), ``{name:+4}`` as a
term added to what comes before (" + 0.1234" or " − 0.1234"); a value that is missing or not
finite is "?" and marks the whole readout undefined.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import numpy as np

__all__ = ["FIELD_NAMES", "TERM_GAP", "compact", "fill_template", "fixed", "keep_together", "literal", "plain",
           "signed_term"]

#: What separates the terms of a readout ("x₀ = 1.000 &nbsp; f(x₀) = ..."): a line may break there.
TERM_GAP = " &nbsp; "


def keep_together(text: str) -> str:
    """``text`` on one line: a narrow screen wrapped "∂f/∂x =" and its number onto two.

    >>> keep_together("f = 1")
    "<span style='white-space:nowrap'>f = 1</span>"
    """
    return f"<span style='white-space:nowrap'>{text}</span>"


def terms_together(readout: str) -> str:
    """Each term of a readout (split at :data:`TERM_GAP`) kept on one line; breaks fall between terms."""
    return TERM_GAP.join(keep_together(term) for term in readout.split(TERM_GAP)) if TERM_GAP in readout else readout

#: Readout fields: {name} as is, {name:4} with 4 decimals (never "-0.0000"), {name:+4} as a
#: term added to what comes before: " + 0.1234" or " − 0.1234".
_FIELD = re.compile(r"\{(\w+)(?::(\+?)(\d+))?\}")


def signed_term(value: float, digits: int) -> str:
    """``value`` as a term of a sum, " + 1.50" or " − 1.50", with no negative zero."""
    text = f"{abs(value):.{digits}f}"
    return (" − " if value < 0 and text.strip("0.") else " + ") + text


def fixed(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals, without the "-0.000" a tiny negative number rounds to."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


#: The names a template reads.
FIELD_NAMES = re.compile(r"\{(\w+)(?::\+?\d+)?\}")


def fill_template(text: str, values: Mapping[str, object], bad: list | None = None) -> str:
    """``text`` with ``{name}``, ``{name:4}`` and ``{name:+4}`` filled from ``values`` (as the script does).

    A value that is missing or not finite becomes "?" and its name is appended to ``bad``.

    >>> fill_template("y = {a:2}{b:+1}", {"a": -1e-9, "b": -0.25})
    'y = 0.00 − 0.2'
    """
    bad = [] if bad is None else bad

    def one(match):
        value = values.get(match.group(1))
        if isinstance(value, np.ndarray):
            value = value.item()
        if value is None or (not isinstance(value, str) and not np.isfinite(value)):
            bad.append(match.group(1))
            return "?"
        sign, digits = match.group(2), match.group(3)
        if isinstance(value, str):
            return value
        if digits is None:  # as JavaScript prints a number: 3, not 3.0
            return str(int(value)) if float(value).is_integer() else repr(float(value))
        return signed_term(float(value), int(digits)) if sign else fixed(float(value), int(digits))

    return _FIELD.sub(one, text)


def compact(value: float) -> float | None:
    """``value`` to 7 significant digits (float32's precision) for JSON; ``None`` if not finite."""
    value = float(value)
    return float(f"{value:.7g}") if np.isfinite(value) else None


def literal(text: str) -> str:
    """``text`` (a reader's label) shown as typed inside a readout: HTML escaped, braces not fields.

    >>> literal("rate {lr} <b>")
    'rate &#123;lr&#125; &lt;b&gt;'
    """
    return html.escape(str(text), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def plain(text: str) -> str:
    """A filled readout as plain text (tags dropped, entities decoded), for ``text/plain``.

    >>> plain("f = <span style='white-space:nowrap'>1 &amp; 2</span>")
    'f = 1 & 2'
    """
    return html.unescape(re.sub(r"<[^>]+>", "", text))
