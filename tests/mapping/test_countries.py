"""Country names and codes to ISO 3166-1 alpha-2."""

from __future__ import annotations

import pytest
from leadloop.mapping._iso3166 import ISO_3166_1
from leadloop.mapping.countries import COUNTRIES, to_country
from leadloop.mapping.parsers import Invalid


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("United States", "US"),
        ("USA", "US"),
        ("US", "US"),
        ("U.S.A.", "US"),
        ("u.s.", "US"),
        ("United States of America", "US"),
        ("Deutschland", "DE"),
        ("germany", "DE"),
        ("DEU", "DE"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("Great Britain", "GB"),
        ("gbr", "GB"),
        ("The Netherlands", "NL"),
        ("Holland", "NL"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d\u2019Ivoire", "CI"),  # the typographic apostrophe people paste
        ("Ivory Coast", "CI"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("Russia", "RU"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Bosnia & Herzegovina", "BA"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("España", "ES"),
        ("Espana", "ES"),
        ("Österreich", "AT"),
        ("Schweiz", "CH"),
        ("  france  ", "FR"),
        ("UAE", "AE"),
        ("Virgin Islands, U.S.", "VI"),
        ("Virgin Islands, British", "VG"),
        ("in", "IN"),
    ],
)
def test_spellings_people_use(spelling, code):
    assert to_country(spelling) == code


def test_every_iso_country_by_code_and_name():
    assert len(ISO_3166_1) == 249
    for alpha2, alpha3, names in ISO_3166_1:
        assert to_country(alpha2) == alpha2
        assert to_country(alpha3) == alpha2
        for name in names:
            assert to_country(name) == alpha2, name
            assert to_country(name.upper()) == alpha2, name


def test_every_code_in_the_table_is_an_iso_code():
    assert set(COUNTRIES.values()) == {alpha2 for alpha2, _, _ in ISO_3166_1}


@pytest.mark.parametrize("junk", ["Atlantis", "Europe", "XX", "U.S.S.R.", "12"])
def test_unknown_countries_are_refused(junk):
    with pytest.raises(Invalid, match=f"unknown country '{junk}'"):
        to_country(junk)


def test_no_value_is_not_an_error():
    assert to_country(None) is None
    assert to_country("   ") is None
