"""A real Active Directory for tests: a throw-away Samba AD DC, provisioned once per test session.

`samba-tool domain provision --dns-backend=NONE` into a temporary folder, LDAP only on 127.0.0.1 (Samba's ports
are fixed at 389/636, so the fixture skips, saying why, only when they are taken), `old password allowed
period = 0` so an old password stops working at once, a self-signed certificate for StartTLS, lockout after
3 bad binds. ResetDesk binds as a service account with the least rights the README documents: the
"Reset Password" extended right and write of lockoutTime and pwdLastSet on user objects under OU=People.
Each test adds its own people (`add_person`), so tests don't share state. Stopped by its PID.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ldap3
import pytest
from ldap3.protocol.formatters.formatters import format_sid

__all__ = ["AD_BASE_DN", "MAX_FAILURES", "AdPerson", "Samba", "samba_dc"]

AD_BASE_DN = "DC=samdom,DC=example,DC=test"
ADMIN_PASSWORD = "Admin-Passw0rd-1!"
SERVICE_DN = f"CN=resetdesk-svc,CN=Users,{AD_BASE_DN}"
SERVICE_PASSWORD = "Service-Passw0rd-1!"
PEOPLE_OU = f"OU=People,{AD_BASE_DN}"
MAX_FAILURES = 3
_USER_CLASS = "bf967aba-0de6-11d0-a285-00aa003049e2"
_RIGHTS = (  # Reset Password (extended right), write lockoutTime, write pwdLastSet: on user objects below
    ("CR", "00299570-246d-11d0-a768-00aa006e0529"),
    ("WP", "28630ebf-41d5-11d1-a9c1-0000f80367c1"),
    ("WP", "bf967a0a-0de6-11d0-a285-00aa003049e2"),
)


@dataclass(frozen=True)
class AdPerson:
    dn: str
    sam: str
    employee_id: str
    password: str = field(repr=False)


@dataclass
class Samba:
    root: Path
    process: subprocess.Popen[bytes] | None = None
    url: str = "ldap://127.0.0.1:389"
    service_dn: str = SERVICE_DN
    service_password: str = SERVICE_PASSWORD

    @property
    def conf(self) -> Path:
        return self.root / "etc" / "smb.conf"

    @property
    def ca_file(self) -> Path:
        return self.root / "cert.pem"

    def start(self) -> None:
        with (self.root / "samba.out").open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                ["samba", "-i", "-M", "single", "-s", str(self.conf)], stdout=log, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", 389), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"samba exited ({self.process.returncode}); see {self.root}/samba.out") from None
                time.sleep(0.1)
        raise RuntimeError("samba did not listen on 389 within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def connect(self, dn: str, password: str) -> ldap3.Connection:
        """A StartTLS connection after a simple bind; `.bound` and `.result['message']` tell how it went."""
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(self.ca_file))
        connection = ldap3.Connection(ldap3.Server(self.url, tls=tls, get_info=ldap3.NONE), dn, password)
        connection.open()
        connection.start_tls()
        connection.bind()
        return connection

    def bind_message(self, dn: str, password: str) -> str:
        """'ok', or the AD bind error's data code: 52e wrong password, 775 locked, 773 must change."""
        connection = self.connect(dn, password)
        message = "ok" if connection.bound else str(connection.result["message"])
        connection.unbind()
        if message == "ok":
            return message
        return message.split("data ", 1)[1].split(",", 1)[0] if "data " in message else message

    def add_person(self, full_name: str, *, mobile: str | None = "+15550003000") -> AdPerson:
        sam = full_name.split()[0].lower() + secrets.token_hex(3)
        person = AdPerson(f"CN={full_name} {sam},{PEOPLE_OU}", sam, "E" + secrets.token_hex(3).upper(),
                          "Initial-Passw0rd-" + secrets.token_hex(2) + "!")  # fmt: skip
        attributes = {"sAMAccountName": sam, "userPrincipalName": f"{sam}@samdom.example.test",
                      "displayName": full_name, "employeeID": person.employee_id, "mail": f"{sam}@example.test"}
        if mobile:
            attributes["mobile"] = mobile
        admin = self.connect(f"CN=Administrator,CN=Users,{AD_BASE_DN}", ADMIN_PASSWORD)
        try:
            assert admin.add(person.dn, ["top", "person", "organizationalPerson", "user"], attributes), admin.result
            _set_password(admin, person.dn, person.password, enabled=512)
        finally:
            admin.unbind()
        return person


def _set_password(admin: ldap3.Connection, dn: str, password: str, *, enabled: int) -> None:
    changes = {"unicodePwd": [(ldap3.MODIFY_REPLACE, [f'"{password}"'.encode("utf-16-le")])],
               "userAccountControl": [(ldap3.MODIFY_REPLACE, [str(enabled)])]}  # fmt: skip
    assert admin.modify(dn, changes), admin.result


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=300)


def _provision(root: Path) -> Samba:
    _run("samba-tool", "domain", "provision", "--realm=SAMDOM.EXAMPLE.TEST", "--domain=SAMDOM",
         "--server-role=dc", "--dns-backend=NONE", f"--adminpass={ADMIN_PASSWORD}", f"--targetdir={root}",
         "--option=interfaces=127.0.0.1", "--option=bind interfaces only=yes", "--option=server services=ldap")
    _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(root / "key.pem"),
         "-out", str(root / "cert.pem"))  # fmt: skip
    (root / "key.pem").chmod(0o600)
    (root / "cache").mkdir(exist_ok=True)
    server = Samba(root)
    extra = (f"\told password allowed period = 0\n\tpid directory = {root}\n\tlog file = {root}/log.%m\n"
             f"\ttls enabled = yes\n\ttls certfile = {root}/cert.pem\n\ttls keyfile = {root}/key.pem\n"
             "\ttls cafile =\n")  # fmt: skip
    text = server.conf.read_text()
    server.conf.write_text(text.replace("[global]\n", "[global]\n" + extra, 1))
    sam = str(root / "private" / "sam.ldb")
    _run("samba-tool", "domain", "passwordsettings", "set", "-H", sam, "-s", str(server.conf),
         f"--account-lockout-threshold={MAX_FAILURES}", "--min-pwd-age=0")  # fmt: skip
    return server


def _delegate(server: Samba) -> None:
    admin = server.connect(f"CN=Administrator,CN=Users,{AD_BASE_DN}", ADMIN_PASSWORD)
    try:
        assert admin.add(PEOPLE_OU, ["top", "organizationalUnit"]), admin.result
        assert admin.add(SERVICE_DN, ["top", "person", "organizationalPerson", "user"],
                         {"sAMAccountName": "resetdesk-svc"}), admin.result  # fmt: skip
        _set_password(admin, SERVICE_DN, SERVICE_PASSWORD, enabled=66048)  # normal account, never expires
        admin.search(SERVICE_DN, "(objectClass=*)", search_scope=ldap3.BASE, attributes=["objectSid"])
        sid = format_sid(admin.response[0]["raw_attributes"]["objectSid"][0])
    finally:
        admin.unbind()
    sddl = "".join(f"(OA;CIIO;{right};{guid};{_USER_CLASS};{sid})" for right, guid in _RIGHTS)
    sam = str(server.root / "private" / "sam.ldb")
    _run("samba-tool", "dsacl", "set", "-H", sam, "-s", str(server.conf), f"--objectdn={PEOPLE_OU}", f"--sddl={sddl}")


def _ports_taken() -> bool:
    for port in (389, 636):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
    return False


@pytest.fixture(scope="session")
def samba_dc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Samba]:
    if shutil.which("samba") is None or shutil.which("samba-tool") is None:
        pytest.skip("Samba is not installed (apt-get install samba samba-ad-dc; .ci/run does it)")
    if _ports_taken():
        pytest.skip("127.0.0.1:389 or :636 is already taken, and Samba's LDAP ports cannot be moved")
    server = _provision(tmp_path_factory.mktemp("samba-dc"))
    server.start()
    try:
        _delegate(server)
        yield server
    finally:
        server.stop()
