"""The secret key: RESETDESK_SECRET_KEY, or one generated once under instance/ so a demo works out of the box."""

from __future__ import annotations

import logging
import os
import secrets

from pydantic import SecretStr

from core.settings import PROJECT_ROOT, Settings

__all__ = ["with_secret_key"]

log = logging.getLogger("resetdesk")


def with_secret_key(settings: Settings) -> Settings:
    """Use RESETDESK_SECRET_KEY, or make one and keep it under instance/ so a demo works out of the box."""
    if settings.secret_key is not None:
        return settings
    key_file = PROJECT_ROOT / "instance" / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: of several workers starting at once, one writes the key and all read that one
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        log.warning("RESETDESK_SECRET_KEY is not set; generated one in %s (set it for production)", key_file)
    return settings.model_copy(update={"secret_key": SecretStr(key_file.read_text().strip())})
