"""Email addresses and phone numbers typed as identifiers: their shapes, and how a directory matches them.

People type what they remember: "alice.smith@example.com", "+1 (202) 555-0101", "202 555 0101". An email is
compared case-insensitively; a phone number by its digits (E.164-ish: "+" or "00" then the country code), and
a number typed without its country code matches the same number stored with one (the national number, at
least 9 digits, a leading trunk "0" dropped). The shape is judged from the typed text alone, never from what
the directory holds, so whether the extra lookup runs says nothing about who exists.
"""

from __future__ import annotations

import re

from ldap3.utils.conv import escape_filter_chars

__all__ = ["email_shaped", "ldap_contact_filter", "phone_digits", "phones_match", "sql_phone_pattern"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s().\-/]+$")
_MIN_DIGITS, _MAX_DIGITS = 7, 15  # E.164 allows at most 15 digits
_MIN_NATIONAL = 9  # a shorter tail could be two people's numbers in different countries


def email_shaped(text: str) -> bool:
    return len(text) <= 320 and _EMAIL.match(text.strip()) is not None


def phone_digits(text: str) -> str | None:
    """The digits of a phone-number-shaped text, with "+" kept for an international one; else None."""
    text = text.strip()
    if not _PHONE.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    international = text.startswith("+") or digits.startswith("00")
    digits = digits[2:] if digits.startswith("00") else digits
    if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
        return None
    return ("+" if international else "") + digits


def phones_match(typed: str, stored: str | None) -> bool:
    """Whether a typed number is the stored one: the same digits, or one of them lacks the country code."""
    a, b = phone_digits(typed), phone_digits(stored or "")
    if a is None or b is None:
        return False
    if a.lstrip("+") == b.lstrip("+"):
        return True
    if a.startswith("+") and b.startswith("+"):
        return False  # both with their country code, and different
    short, long = sorted((_national(a), _national(b)), key=len)
    return len(short) >= _MIN_NATIONAL and long.endswith(short)


def _national(digits: str) -> str:
    """An international number's digits, or a national one's without its trunk "0"."""
    return digits[1:] if digits.startswith(("+", "0")) else digits


def _tail(digits: str) -> str:
    """The digits every matching stored number ends with (the national number's last _MIN_NATIONAL digits)."""
    return digits.lstrip("+")[-_MIN_NATIONAL:]


def sql_phone_pattern(typed: str) -> str | None:
    """A LIKE pattern that every stored number phones_match() would accept satisfies (whatever its spacing):
    the candidates, checked exactly in Python afterwards. None when the text is not phone-shaped."""
    digits = phone_digits(typed)
    return None if digits is None else "%" + "%".join(_tail(digits)) + "%"


def ldap_contact_filter(typed: str, email_attribute: str, mobile_attribute: str) -> str:
    """The filter parts that find a person by an email (even when the email attribute is not one of the id
    attributes) or by a phone number's digits whatever its spacing (candidates: phones_match() decides)."""
    if email_shaped(typed):
        return f"({email_attribute}={escape_filter_chars(typed.strip())})"
    digits = phone_digits(typed)  # digits only: nothing in the substring filter needs escaping
    return "" if digits is None else f"({mobile_attribute}=*{'*'.join(_tail(digits))}*)"
