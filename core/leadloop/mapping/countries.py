"""Country names and codes to ISO 3166-1 alpha-2, in one dict built at import.

Partners are routed by country, so "USA", "United States" and "U.S.A." must become the same
``US``. Lookups are one dict probe for the spellings seen most (codes and names in their usual,
lower and upper case); anything else is normalised once more (accents, dots, punctuation, "the",
"&") and probed again, so the cost stays O(1) whatever the spelling.
"""

from __future__ import annotations

import re
import unicodedata

from ._iso3166 import ISO_3166_1
from .parsers import Invalid

ALIASES: dict[str, str] = {
    # English short forms and former names the ISO table does not carry
    "America": "US",
    "US of A": "US",
    "UK": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Holland": "NL",
    "Russia": "RU",
    "Korea": "KR",
    "Republic of Korea": "KR",
    "Turkey": "TR",
    "Ivory Coast": "CI",
    "Macedonia": "MK",
    "Swaziland": "SZ",
    "Burma": "MM",
    "East Timor": "TL",
    "Cape Verde": "CV",
    "Vatican": "VA",
    "Vatican City": "VA",
    "Palestine": "PS",
    "Brunei": "BN",
    "Micronesia": "FM",
    "Falkland Islands": "FK",
    "Hong Kong SAR": "HK",
    "Macau": "MO",
    "Macao SAR": "MO",
    "UAE": "AE",
    "Emirates": "AE",
    "KSA": "SA",
    "DRC": "CD",
    "DR Congo": "CD",
    "Congo-Kinshasa": "CD",
    "Congo-Brazzaville": "CG",
    "St Lucia": "LC",
    "St Kitts and Nevis": "KN",
    "St Vincent and the Grenadines": "VC",
    "Trinidad": "TT",
    "Sao Tome": "ST",
    "Bosnia": "BA",
    "US Virgin Islands": "VI",
    "Mainland China": "CN",
    "PRC": "CN",
    "ROC": "TW",
    # names in the country's own languages, as trade-show and partner files spell them
    "Deutschland": "DE",
    "Österreich": "AT",
    "Schweiz": "CH",
    "Suisse": "CH",
    "Svizzera": "CH",
    "España": "ES",
    "Italia": "IT",
    "Nederland": "NL",
    "België": "BE",
    "Belgique": "BE",
    "Belgien": "BE",
    "Danmark": "DK",
    "Sverige": "SE",
    "Norge": "NO",
    "Suomi": "FI",
    "Ísland": "IS",
    "Éire": "IE",
    "Polska": "PL",
    "Česko": "CZ",
    "Slovensko": "SK",
    "Magyarország": "HU",
    "Hrvatska": "HR",
    "Slovenija": "SI",
    "Srbija": "RS",
    "Ελλάδα": "GR",
    "Hellas": "GR",
    "Россия": "RU",
    "Україна": "UA",
    "Brasil": "BR",
    "Nippon": "JP",
    "Nihon": "JP",
    "日本": "JP",
    "中国": "CN",
    "Zhongguo": "CN",
    "한국": "KR",
    "Bharat": "IN",
    "Misr": "EG",
    "Lëtzebuerg": "LU",
    "Luxemburg": "LU",
}
"""Spellings in common use that ISO 3166 does not list, each mapped to its alpha-2 code."""

_DROPPED = re.compile(r"[.'\u2019]")  # "U.S.A." is "USA"; apostrophes, straight or typographic, go too
_SEPARATORS = re.compile(r"[,()\-_/]+")
_SPACES = re.compile(r"\s+")


def _key(text: str) -> str:
    """A spelling-independent key: no accents, dots, punctuation, case, "the" or "&"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = _SEPARATORS.sub(" ", _DROPPED.sub("", plain.replace("&", " and ")))
    plain = _SPACES.sub(" ", plain).strip()
    return plain.removeprefix("the ")


def _build() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(spelling: str, code: str) -> None:
        for form in (spelling, spelling.lower(), spelling.upper(), spelling.title(), _key(spelling)):
            table.setdefault(form, code)

    for alpha2, alpha3, _names in ISO_3166_1:  # codes first: "IN" must stay India, never a name
        add(alpha2, alpha2)
        add(alpha3, alpha2)
    for alpha2, _alpha3, names in ISO_3166_1:
        for name in names:
            add(name, alpha2)
    for spelling, alpha2 in ALIASES.items():
        add(spelling, alpha2)
    return table


COUNTRIES: dict[str, str] = _build()
"""Every known spelling (and its normalised key) to the ISO 3166-1 alpha-2 code."""


def to_country(value: object) -> str | None:
    """The alpha-2 code of a country name or code; ``None`` for no value.

    Raises :class:`Invalid` for text naming no country, so the record is refused instead of being
    routed to the wrong partner.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"not a country: {value!r}")
    code = COUNTRIES.get(value)
    if code is not None:
        return code
    text = value.strip()
    if not text:
        return None
    code = COUNTRIES.get(text) or COUNTRIES.get(_key(text))
    if code is None:
        raise Invalid(f"unknown country {text!r} (use a country name or an ISO 3166 code such as 'DE')")
    return code
