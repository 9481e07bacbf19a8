"""The import's phone cache: a block of numbers speaks only for numbers written in ASCII digits."""

from phonebank.kit.phones import PhoneCache, parse_phone


def test_a_known_block_does_not_answer_for_other_digits() -> None:
    cache = PhoneCache("US")
    assert cache.parse("212 555 0199").e164 == "+12125550199"
    assert cache.block("212555") is not None
    other_digits = "212555019\u0663"  # the last digit is an Arabic-Indic three
    assert cache.parse(other_digits) == parse_phone(other_digits, default_country="US")
    assert cache.parse(other_digits).e164 == "+12125550193"
