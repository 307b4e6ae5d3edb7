"""`python app.py check-directory [IDENTIFIER]`: connect, bind, and show what ResetDesk would see. Changes nothing.

Exit codes: 0 all good, 1 the directory answered but found nobody for the identifier, 2 the directory could not
be used (unreachable, TLS, bind refused). Contacts are masked, as support sees them.
"""

from __future__ import annotations

from core.directory.ldap_common import LdapDirectoryBase
from core.directory.port import DirectoryBackend, DirectoryUnavailable
from core.support.desk import mask_email, mask_phone

__all__ = ["check_directory"]


def check_directory(directory: DirectoryBackend, identifier: str | None) -> tuple[int, str]:
    try:
        return _check(directory, identifier)
    finally:
        if isinstance(directory, LdapDirectoryBase):
            directory.close()


def _check(directory: DirectoryBackend, identifier: str | None) -> tuple[int, str]:
    lines: list[str] = []
    try:
        if isinstance(directory, LdapDirectoryBase):
            config = directory.config
            tls = "ldaps" if config.url.startswith("ldaps://") else ("NO TLS" if config.allow_plaintext else "StartTLS")
            lines.append(f"Directory: {config.kind} at {config.url} ({tls})")
            directory.check_connection()
            lines.append(f"Bind as {config.bind_dn}: ok")
        else:
            lines.append("Directory: the embedded SQL directory (RESETDESK_DIRECTORY=sql)")
        if not identifier:
            return 0, "\n".join(lines)
        account = directory.find(identifier)
    except DirectoryUnavailable as exc:
        lines.append(f"error: {exc}")
        return 2, "\n".join(lines)
    if account is None:
        where = (
            f"the filter {directory.config.user_filter} on {', '.join(directory.config.id_attributes)}"
            if isinstance(directory, LdapDirectoryBase)
            else "employee ID and username"
        )
        lines.append(f"error: nobody found for {identifier!r} ({where} found nothing)")
        return 1, "\n".join(lines)
    lines += [
        f"Name:        {account.full_name or '(none)'}",
        f"Employee ID: {account.employee_id}",
        f"Username:    {account.username or '(none)'}",
        f"Email:       {mask_email(account.email)}",
        f"Mobile:      {mask_phone(account.phone)}",
        f"Locked:      {'yes' if account.locked else 'no'}",
    ]
    return 0, "\n".join(lines)
