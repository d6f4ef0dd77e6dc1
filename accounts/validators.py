"""The unified social credit code (统一社会信用代码), GB 32100-2015."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = [pow(3, i, 31) for i in range(17)]
REGISTRATION_AUTHORITIES = set("123456789ABCDEFGNY")


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has exactly 18 characters."), code="length")
    if any(ch not in CHARSET for ch in code):
        raise ValidationError(
            _("The code may contain only digits and capital letters other than I, O, S, V and Z."), code="charset"
        )
    if code[0] not in REGISTRATION_AUTHORITIES or not code[2:8].isdigit():
        raise ValidationError(_("The registration authority or region part of the code is invalid."), code="format")
    if code[17] != check_character(code[:17]):
        raise ValidationError(_("The check character is wrong: please re-check the code."), code="checksum")


def normalise_credit_code(value: str) -> str:
    return (value or "").strip().upper()
