"""Known breached passwords, refused offline: a shipped list of the most common ones, and optionally the full
Pwned Passwords SHA-1 file searched on disk.

The shipped list (core/secrets/data/common_breached_passwords.txt, its source in the README beside it) is a
set in memory, compared case-insensitively. The Pwned Passwords file (RESETDESK_BREACHED_PASSWORDS_FILE) is
tens of gigabytes: it is sorted by hash, so a lookup is a binary search over byte offsets with seek() and
reads a few dozen lines; nothing of it stays in memory. Its hashes are of the exact password (case matters).
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from pathlib import Path
from typing import BinaryIO

__all__ = ["COMMON_LIST", "BreachedPasswords", "PwnedPasswordsFile", "pwned_passwords_path"]

COMMON_LIST = Path(__file__).resolve().parent / "data" / "common_breached_passwords.txt"
_HASH_LENGTH = 40  # SHA-1 in hex
_LINE = re.compile(rb"^[0-9A-Fa-f]{40}(:\d+)?\r?$")


@cache
def _common_passwords(path: Path = COMMON_LIST) -> frozenset[str]:
    """Read once per process: every core built in one process (tests build many) shares the set."""
    with path.open(encoding="utf-8") as lines:
        return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


class PwnedPasswordsFile:
    """A sorted file of `SHA1HEX:COUNT` lines (Have I Been Pwned's "ordered by hash" download), searched in place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as handle:
            first = handle.readline().rstrip(b"\n")
        if first and not _LINE.match(first):
            raise ValueError(f"{path} is not a Pwned Passwords SHA-1 file (lines like 'HASH:COUNT')")

    def contains_sha1(self, digest_hex: str) -> bool:
        """Whether the upper-case hex SHA-1 `digest_hex` is a line of the file."""
        target = digest_hex.upper().encode("ascii")
        # A handle per lookup: lookups run on many request threads at once and seek() moves a shared position.
        with self.path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            return _key(_first_line_at_or_after(handle, size, target)) == target

    def contains(self, password: str) -> bool:
        return self.contains_sha1(hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest())


def _key(line: bytes) -> bytes:
    return line[:_HASH_LENGTH].upper()


def _line_after(handle: BinaryIO, offset: int) -> bytes:
    """The first line that starts after `offset` (the line at 0 for offset 0); b"" past the end.

    Seeking to `offset` lands inside a line (or on the newline before one), so the rest of that line is
    skipped: over all offsets this reaches every line, and it never goes backwards as the offset grows."""
    handle.seek(offset)
    if offset:
        handle.readline()
    return handle.readline()


def _first_line_at_or_after(handle: BinaryIO, size: int, target: bytes) -> bytes:
    """Binary search over byte offsets for the first line whose hash is >= target (lines are sorted)."""
    low, high = 0, size
    while low < high:
        middle = (low + high) // 2
        line = _line_after(handle, middle)
        if not line or _key(line) >= target:
            high = middle
        else:
            low = middle + 1
    return _line_after(handle, low)


def pwned_passwords_path(value: object) -> Path | None:
    """The RESETDESK_BREACHED_PASSWORDS_FILE setting: empty for none, else an existing file of hash lines
    (ValueError otherwise, which the settings turn into a start-up message naming the variable)."""
    if value in (None, ""):
        return None
    path = Path(str(value))
    if not path.is_file():
        raise ValueError("no such file")
    PwnedPasswordsFile(path)  # its first line must look like one
    return path


class BreachedPasswords:
    """is_breached(password): in the shipped common list, or in the Pwned Passwords file when one is set."""

    def __init__(self, pwned_file: Path | None = None, *, common_list: Path = COMMON_LIST) -> None:
        self._common = _common_passwords(common_list)
        self._pwned = PwnedPasswordsFile(pwned_file) if pwned_file is not None else None

    @property
    def common_count(self) -> int:
        return len(self._common)

    def is_breached(self, password: str) -> bool:
        """`password` as the policy sees it (NFKC). Both sources are always asked, so the time taken does not
        tell which one matched."""
        in_common = password.casefold() in self._common
        in_pwned = self._pwned is not None and self._pwned.contains(password)
        return in_common or in_pwned
