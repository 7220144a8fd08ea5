"""Pinyin-initial mnemonic codes used for lookups (bjkj finds 北京科技有限公司)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_tui.domain.mnemonic import mnemonic


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("北京科技有限公司", "bjkjyxgs"),
        ("杭州娃哈哈集团有限公司", "hzwhhjtyxgs"),
        ("华为", "hw"),
        # heteronyms: pypinyin reads them in context
        ("重庆钢铁", "cqgt"),
        ("中国银行", "zgyh"),
        ("长沙", "cs"),
        # Latin letters and digits are kept, lower-cased; punctuation and spaces are dropped
        ("ABC科技", "abckj"),
        ("3M中国有限公司", "3mzgyxgs"),
        ("北京 (海淀) 分公司", "bjhdfgs"),
        ("北京（海淀）分公司·一部", "bjhdfgsyb"),
        ("\uff21\uff22\uff23\uff11\uff12\uff13公司", "abc123gs"),  # full-width letters, digits
        ("Café 北京", "cafebj"),
        ("", ""),
        ("!!! ---", ""),
    ],
)
def test_mnemonic(name: str, code: str) -> None:
    assert mnemonic(name) == code


def test_mnemonic_refuses_non_text() -> None:
    with pytest.raises(TypeError):
        mnemonic(None)  # type: ignore[arg-type]


@given(st.text(max_size=30))
def test_mnemonic_is_always_lower_case_ascii(name: str) -> None:
    code = mnemonic(name)
    assert code.isascii()
    assert code == code.lower()
    assert all(ch.isalnum() for ch in code)


# GB 2312 level 1: the 3,755 most common characters, all of which have a reading. Rare
# characters of the full CJK block (e.g. 瓼) have none in pypinyin and are dropped.
GB2312_LEVEL1 = [
    bytes([hi, lo]).decode("gb2312")
    for hi in range(0xB0, 0xD8)
    for lo in range(0xA1, 0xFF)
    if not (hi == 0xD7 and lo > 0xF9)
]


@given(st.text(alphabet=st.sampled_from(GB2312_LEVEL1), max_size=20))
def test_one_letter_per_common_chinese_character(name: str) -> None:
    assert len(mnemonic(name)) == len(name)
