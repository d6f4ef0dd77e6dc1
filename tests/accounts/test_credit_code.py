import pytest
from django.core.exceptions import ValidationError

from accounts.validators import check_character, validate_credit_code


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the standard's worked example
        "91440300708461136T",
        "91110108551385082Q",
        "12100000400000624D",
        "91440300708461136t",  # lower case is accepted and normalised
    ],
)
def test_valid_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91350100M000100Y44", "checksum"),
        ("91440300708461136A", "checksum"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("", "length"),
        ("91350100M00O100Y43", "charset"),
        ("9135010IM000100Y43", "charset"),
        ("I1350100M000100Y43", "charset"),
        ("H1350100M000100Y43", "format"),
        ("91ABCD00M000100Y43", "format"),
    ],
)
def test_invalid_codes_name_their_problem(code, error):
    with pytest.raises(ValidationError) as caught:
        validate_credit_code(code)
    assert caught.value.code == error


def test_every_check_character_is_in_the_charset():
    assert check_character("91350100M000100Y4") == "3"
