"""Breached passwords: the Pwned Passwords SHA-1 file searched in place (binary search with seek), on generated
files shaped like Have I Been Pwned's "ordered by hash" download."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pytest

from core.secrets.breached import BreachedPasswords, PwnedPasswordsFile
from core.secrets.password_policy import BREACHED, PasswordPolicy
from core.settings import SettingsError, load_settings

PWNED = "correct horse battery staple"  # zxcvbn scores it 4: only the file knows it was breached


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest().upper()


def write_pwned(path: Path, passwords: list[str], *, newline: str = "\n") -> list[str]:
    """A sorted `HASH:COUNT` file of these passwords; returns the hashes in file order."""
    hashes = sorted(sha1(p) for p in passwords)
    path.write_text("".join(f"{h}:{n + 1}{newline}" for n, h in enumerate(hashes)), encoding="ascii", newline="")
    return hashes


@pytest.fixture
def pwned(tmp_path: Path) -> tuple[PwnedPasswordsFile, list[str]]:
    path = tmp_path / "pwned.txt"
    hashes = write_pwned(path, [f"generated password {n}" for n in range(2000)] + [PWNED])
    return PwnedPasswordsFile(path), hashes


def test_every_line_is_found_and_nothing_else(pwned: tuple[PwnedPasswordsFile, list[str]]) -> None:
    found, hashes = pwned
    assert all(found.contains_sha1(h) for h in hashes)  # first, last and every line between
    assert found.contains(PWNED) and found.contains_sha1(sha1(PWNED).lower())
    assert not found.contains("Correct horse battery staple")  # the hash is of the exact password
    absent = [sha1(f"not in the file {n}") for n in range(500)] + ["0" * 40, "F" * 40]
    assert not any(found.contains_sha1(h) for h in absent if h not in hashes)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_tiny_files_and_windows_line_ends(tmp_path: Path, newline: str) -> None:
    for count in (1, 2, 3):
        path = tmp_path / f"pwned-{count}.txt"
        hashes = write_pwned(path, [f"p{n}" for n in range(count)], newline=newline)
        found = PwnedPasswordsFile(path)
        assert all(found.contains_sha1(h) for h in hashes)
        assert not found.contains("p-absent")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert not PwnedPasswordsFile(empty).contains(PWNED)


def test_a_lookup_reads_a_few_lines_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    hashes = write_pwned(path, [f"generated password {n}" for n in range(200_000)])  # ~9 MB
    found = PwnedPasswordsFile(path)
    tracemalloc.start()
    try:
        assert found.contains_sha1(hashes[123_456]) and not found.contains("absent from it")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 256 * 1024, peak  # a few buffers, never the 9 MB


def test_a_file_of_another_shape_is_refused_at_start(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("password\nletmein\n")
    with pytest.raises(ValueError, match="Pwned Passwords"):
        PwnedPasswordsFile(path)


def test_the_policy_refuses_a_password_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "pwned.txt"
    write_pwned(path, [PWNED, "another one"])
    with_file = PasswordPolicy(breached=BreachedPasswords(path))
    verdict = with_file.check(PWNED)
    assert not verdict.ok and verdict.problems == (BREACHED,) and verdict.score == 4
    assert PasswordPolicy().check(PWNED).ok  # the shipped list alone does not have it


def test_the_setting_names_a_readable_pwned_file(tmp_path: Path) -> None:
    path = tmp_path / "pwned.txt"
    write_pwned(path, [PWNED])
    assert load_settings(breached_passwords_file=str(path)).breached_passwords_file == path
    with pytest.raises(SettingsError, match="RESETDESK_BREACHED_PASSWORDS_FILE"):
        load_settings(breached_passwords_file=str(tmp_path / "missing.txt"))


def test_the_shipped_list_is_what_its_readme_says_it_is() -> None:
    """core/secrets/data/README.md: zxcvbn's `passwords` list, in order, the entries of 8 characters or more."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    from core.secrets.breached import COMMON_LIST

    shipped = [line for line in COMMON_LIST.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert shipped == [word for word in FREQUENCY_LISTS["passwords"] if len(word) >= 8]
