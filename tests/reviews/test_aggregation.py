from decimal import Decimal

import pytest

from reviews.models import ReviewRound
from reviews.services.aggregation import aggregate, spread

D = [Decimal(v) for v in ("60", "70", "80", "90", "100", "40", "75")]
M = ReviewRound.Aggregation


def test_mean():
    assert aggregate(D[:3], M.MEAN) == Decimal("70.00")


def test_median_of_an_even_count():
    assert aggregate(D[:4], M.MEDIAN) == Decimal("75.00")


def test_trimmed_mean_on_4_scores_is_the_plain_mean():
    assert aggregate(D[:4], M.TRIMMED) == Decimal("75.00")


def test_trimmed_mean_on_5_scores_drops_exactly_one_highest_and_one_lowest():
    # 60 70 80 90 100 → 70 80 90
    assert aggregate(D[:5], M.TRIMMED) == Decimal("80.00")


def test_trimmed_mean_on_7_scores_drops_only_one_at_each_end():
    # 40 60 70 75 80 90 100 → 60 70 75 80 90 = 375 / 5
    assert aggregate(D, M.TRIMMED) == Decimal("75.00")


def test_trimmed_mean_drops_one_of_several_equal_extremes():
    scores = [Decimal(v) for v in ("50", "50", "80", "90", "90")]
    # one 50 and one 90 dropped: 50 80 90
    assert aggregate(scores, M.TRIMMED) == Decimal("73.33")


def test_spread_and_standard_deviation():
    assert spread([Decimal("60"), Decimal("80")]) == (Decimal("20.00"), Decimal("10.00"))


def test_no_scores_is_an_error():
    with pytest.raises(ValueError):
        aggregate([], M.MEAN)
