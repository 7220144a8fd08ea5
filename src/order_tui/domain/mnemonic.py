"""Mnemonic codes (助记码): pinyin initials that clerks type to find a name (bjkj -> 北京科技)."""

import os
import unicodedata


def _ascii_alnum(text: str) -> str:
    # NFKD splits accents off (é -> e + mark) so that the mark, not the letter, is dropped.
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum()).lower()


def _keep_latin(chunk: str) -> list[str]:
    # Latin letters and digits in a name (ABC科技, 3M中国) are part of how it is searched for;
    # punctuation and spaces are not.
    return list(_ascii_alnum(chunk))


def mnemonic(name: str) -> str:
    """北京科技有限公司 -> "bjkjyxgs"; heteronyms take pypinyin's reading in context."""
    if not isinstance(name, str):
        raise TypeError(f"name must be str, not {type(name).__name__}")
    # NFKC first so full-width letters and digits (ＡＢＣ，１２３) count as Latin ones.
    text = unicodedata.normalize("NFKC", name)
    # Imported here: loading pypinyin's phrase dictionary takes most of a second, which the
    # first screen should not wait for (the app warms it up in the background). Without
    # PYPINYIN_NO_DICT_COPY pypinyin keeps a second copy of both dictionaries, for programs
    # that add their own words to them; we add none, and the copies cost 3 MB (issue 7).
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    from pypinyin import Style, lazy_pinyin

    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=_keep_latin)
    return _ascii_alnum("".join(initials))
