"""Hostile values for property tests: what a clerk's paste buffer, a broken barcode scanner or
a curious operator can put into a field.

One place for them, so every service test and form test throws the same things: CJK, emoji
(ZWJ sequences, astral plane), C0/C1 controls and NUL, bidi overrides, 10,000-character
strings, whitespace only (U+3000 included), SQL-looking text; numbers as typed text and as
Decimals (huge, negative, -0, NaN, sNaN, Infinity, tiny, too many places); dates at the ends
of the calendar and garbage that only looks like a date.
"""

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

# --- text ----------------------------------------------------------------------------------

SQL = "'; DROP TABLE sales_order;--"
RLO = "\u202e"  # right-to-left override
RLM = "\u200f"  # right-to-left mark
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one ZWJ glyph
IDEOGRAPHIC_SPACE = "\u3000"

# Named values each test should meet at least once (hypothesis examples them first).
TEXT_SAMPLES: list[str] = [
    "北京华宇科技有限公司",
    "𠀋𡈽𡌛",  # CJK extension B (astral plane)
    "😀" + FAMILY + "🇨🇳",
    "a\x00b",  # NUL
    "line\x1b[31mred\x1b[0m",  # ANSI escape: would paint the clerk's terminal
    "\x07\x08\x7f\x85\x9b",  # BEL, BS, DEL, C1 NEL and CSI
    RLO + "gpj.exe",
    RLM + "עברית" + RLM,
    "x" * 10_000,
    "中" * 10_000,
    "   ",
    IDEOGRAPHIC_SPACE * 3,
    "\t\n\r ",
    "",
    SQL,
    "Robert'); DROP TABLE customer;--",
    "%_\\",  # LIKE wildcards
    "\ud800",  # a lone surrogate: cannot be encoded as UTF-8
    "ＡＢＣ１２３",  # full-width
    "{0}{what}%s",  # format-string lookalikes
]

_alphabet = st.one_of(
    st.characters(codec="utf-8"),  # anything encodable, controls included
    st.sampled_from("北京上海华宇科技有限公司伺服电机赵琳张总"),
    st.sampled_from(["\x00", "\x1b", "\x85", "\u202e", "\u200f", "\u3000", "\ufeff", "\u200b"]),
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji, astral
)

hostile_text: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(TEXT_SAMPLES),
    st.text(_alphabet, max_size=40),
    st.builds(lambda s, n: (s or "x") * n, st.text(_alphabet, max_size=3), st.integers(1, 5000)),
)

# --- numbers -------------------------------------------------------------------------------

DECIMAL_SAMPLES: list[Decimal] = [
    Decimal("1E+30"),
    Decimal("-1"),
    Decimal("-0"),
    Decimal("-0.00"),
    Decimal("NaN"),
    Decimal("-NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("1E-30"),
    Decimal("0.123456789"),
    Decimal("99999999999999999999"),
    Decimal("9223372036854775807"),
    Decimal("0"),
    Decimal("1"),
    Decimal("12.5"),
]

hostile_decimal: st.SearchStrategy[Decimal] = st.one_of(
    st.sampled_from(DECIMAL_SAMPLES),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(0, 12).flatmap(
        lambda places: st.decimals(min_value=-(10**25), max_value=10**25, places=places)
    ),
)

NUMBER_TEXT_SAMPLES: list[str] = [
    "1e30",
    "1" + "0" * 40,
    "-5",
    "−5",  # U+2212 minus
    "-0",
    "NaN",
    "nan",
    "Infinity",
    "inf",
    "sNaN",
    "0.000000000000000000000000000001",
    "1.23456789",
    "１２３",  # full-width digits
    "1,5",
    "1,,000",
    "¥-3",
    "--1",
    "",
    "   ",
    IDEOGRAPHIC_SPACE,
    "１２。５",
    "٣",  # Arabic-Indic three
    "²",  # superscript two
    SQL,
    "0x10",
    "9" * 10_000,
]

hostile_number_text: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(NUMBER_TEXT_SAMPLES),
    hostile_text,
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)

hostile_int: st.SearchStrategy[int] = st.one_of(
    st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 10**30]),
    st.integers(min_value=-(10**20), max_value=10**20),
)

# --- dates ---------------------------------------------------------------------------------

DATE_SAMPLES: list[date] = [date.min, date.max, date(1900, 1, 1), date(2100, 12, 31)]
DATE_TEXT_SAMPLES: list[str] = [
    "0001-01-01",
    "9999-12-31",
    "2025-02-29",  # not a leap year
    "2024-02-30",
    "2024-13-01",
    "2024-00-10",
    "10000-01-01",
    "-0001-01-01",
    "2024/1/1",
    "２０２４－０１－０１",
    "昨天",
    "",
    "   ",
    SQL,
    "2024-01-01\x00",
]

hostile_date: st.SearchStrategy[date] = st.one_of(st.sampled_from(DATE_SAMPLES), st.dates())
hostile_date_text: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(DATE_TEXT_SAMPLES), st.dates().map(date.isoformat), hostile_text
)


# --- one field at a time -------------------------------------------------------------------


def one_hostile(
    valid: dict[str, object], hostile: dict[str, st.SearchStrategy[object]]
) -> st.SearchStrategy[dict[str, object]]:
    """The valid values with ONE field replaced by a hostile value (mostly), or with several
    replaced at once (now and then): a form with every field wrong stops at the first one,
    so the fields behind it would never meet anything hostile."""
    names = sorted(hostile)
    single = st.sampled_from(names).flatmap(
        lambda name: hostile[name].map(lambda value: {**valid, name: value})
    )
    several = st.fixed_dictionaries({}, optional={name: hostile[name] for name in names}).map(
        lambda changed: {**valid, **changed}
    )
    return st.one_of(single, single, single, several)
