"""Unified social credit code check (GB 32100-2015)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhiben.register import creditcode

# Published codes of well-known companies (business licence records).
REAL = ["9144030071526726XG", "914403001922038216", "91330100799655058B", "91110000802100433B"]

bodies = st.text(alphabet=creditcode.CHARSET, min_size=17, max_size=17)


@pytest.mark.parametrize("code", REAL)
def test_real_codes_are_valid(code):
    assert creditcode.problem(code) is None
    assert creditcode.check_char(code[:17]) == code[17]


def test_lower_case_and_full_width_are_normalised():
    assert creditcode.is_valid("9144030071526726xg")
    assert creditcode.is_valid(" ９１４４０３００７１５２６７２６ＸＧ ")
    assert creditcode.normalise("９１ab") == "91AB"


@given(bodies)
def test_completed_code_is_valid(body):
    code = creditcode.complete(body)
    assert len(code) == 18 and code.startswith(body)
    assert creditcode.problem(code) is None


@given(bodies, st.integers(0, 16), st.sampled_from(creditcode.CHARSET))
def test_any_single_substitution_is_detected(body, pos, char):
    code = creditcode.complete(body)
    if code[pos] == char:
        return
    # Weights are distinct and invertible mod 31, so changing one character always changes the sum.
    changed = code[:pos] + char + code[pos + 1:]
    assert creditcode.problem(changed) is not None


@given(bodies, st.sampled_from(creditcode.CHARSET))
def test_wrong_check_char_names_the_right_one(body, wrong):
    right = creditcode.check_char(body)
    if wrong == right:
        return
    assert creditcode.problem(body + wrong) == f"校验位错误:第 18 位应为“{right}”,实际为“{wrong}”"


@given(st.text(alphabet=creditcode.CHARSET, max_size=30).filter(lambda s: len(s) != 18))
def test_wrong_length(code):
    reason = creditcode.problem(code)
    if not code:
        assert reason == "统一社会信用代码为空"
    else:
        assert reason == f"统一社会信用代码应为 18 位,实际为 {len(code)} 位"


@given(bodies, st.integers(0, 17), st.sampled_from("IOSVZ*-"))
def test_illegal_character_names_its_position(body, pos, bad):
    code = creditcode.complete(body)
    code = code[:pos] + bad + code[pos + 1:]
    assert creditcode.problem(code) == (
        f"第 {pos + 1} 位字符“{bad}”不合法(只能是数字和除 I、O、S、V、Z 以外的大写字母)"
    )


def test_check_char_needs_seventeen():
    with pytest.raises(ValueError):
        creditcode.check_char("123")
