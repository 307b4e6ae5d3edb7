"""What the person is told about the recovery: the code's length and lifetimes, as the dialogs word them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Terms"]


@dataclass(frozen=True, slots=True)
class Terms:
    code_digits: int
    code_ttl_seconds: int
    link_ttl_seconds: int

    @property
    def code_minutes(self) -> int:
        return self.code_ttl_seconds // 60

    @property
    def link_minutes(self) -> int:
        return self.link_ttl_seconds // 60
