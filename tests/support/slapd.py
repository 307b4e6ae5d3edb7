"""A real OpenLDAP server for tests: Debian's slapd with the ppolicy overlay, on a free high port.

Its cn=config is built with `slapadd -n0` into a temporary folder (no debconf), with a self-signed
certificate for 127.0.0.1 so StartTLS is real. The data is loaded by the root DN after start (cleartext
passwords are hashed by `olcPPolicyHashCleartext`). ResetDesk binds as a non-root service account whose ACL
lets it write only userPassword, pwdAccountLockedTime and pwdReset. Stopped by its PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["BASE_DN", "PEOPLE", "SERVICE_DN", "SERVICE_PASSWORD", "Slapd", "free_port", "running_slapd", "slapd_server"]

BASE_DN = "dc=example,dc=test"
ROOT_DN = f"cn=admin,{BASE_DN}"
ROOT_PASSWORD = "root-password-for-tests"
SERVICE_DN = f"cn=resetdesk,ou=services,{BASE_DN}"
SERVICE_PASSWORD = "service-password-for-tests"
MAX_FAILURES = 3
# uid -> (employeeNumber, full name, mail, mobile, password)
PEOPLE = {
    "ada": ("E2001", "Ada Lovelace", "ada@example.test", "+15550002001", "Initial-Password-Ada-1"),
    "alan": ("E2002", "Alan Turing", "alan@example.test", "+15550002002", "Initial-Password-Alan-1"),
    "grace": ("E2003", "Grace Hopper", "grace@example.test", None, "Initial-Password-Grace-1"),
}

_CONFIG = """\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {root}/slapd.pid
olcTLSCertificateFile: {root}/cert.pem
olcTLSCertificateKeyFile: {root}/key.pem

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/nis.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcAccess: {{0}}to * by * none

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {base}
olcRootDN: {root_dn}
olcRootPW: {root_pw}
olcDbDirectory: {root}/data
olcDbMaxSize: 67108864
olcAccess: {{0}}to attrs=userPassword by dn.exact="{service}" =w by self =w by anonymous auth by * none
olcAccess: {{1}}to attrs=pwdAccountLockedTime,pwdReset by dn.exact="{service}" write by * none
olcAccess: {{2}}to * by dn.exact="{service}" read by self read by * none

dn: olcOverlay={{0}}ppolicy,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {{0}}ppolicy
olcPPolicyDefault: cn=default,ou=policies,{base}
olcPPolicyHashCleartext: TRUE
olcPPolicyUseLockout: TRUE
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Slapd:
    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> Path:
        return self.root / "cert.pem"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["slapd", "-F", str(self.root / "slapd.d"), "-h", f"ldap://127.0.0.1:{self.port}/", "-d", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"slapd exited with {self.process.returncode}") from None
                time.sleep(0.05)
        raise RuntimeError("slapd did not start listening within 10 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def admin(self) -> object:
        """An ldap3 connection bound as the root DN (to set up data and to look behind ResetDesk's back)."""
        import ldap3

        return ldap3.Connection(self.url, ROOT_DN, ROOT_PASSWORD, auto_bind=True, raise_exceptions=True)


def _make_certificate(root: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip


def _load_people(server: Slapd) -> None:
    conn = server.admin()
    add = conn.add  # type: ignore[attr-defined]
    add(BASE_DN, ["dcObject", "organization"], {"o": "Example", "dc": "example"})
    for ou in ("people", "services", "policies"):
        add(f"ou={ou},{BASE_DN}", ["organizationalUnit"], {"ou": ou})
    add(SERVICE_DN, ["organizationalRole", "simpleSecurityObject"], {"userPassword": SERVICE_PASSWORD})
    policy = {
        "pwdAttribute": "userPassword", "pwdInHistory": 5, "pwdCheckQuality": 1, "pwdMinLength": 12,
        "pwdLockout": "TRUE", "pwdMaxFailure": MAX_FAILURES, "pwdFailureCountInterval": 0,
        "pwdLockoutDuration": 0, "pwdMinAge": 0, "pwdMustChange": "TRUE",
    }  # fmt: skip
    add(f"cn=default,ou=policies,{BASE_DN}", ["organizationalRole", "pwdPolicy"], policy)
    for uid, (number, name, mail, mobile, password) in PEOPLE.items():
        attributes = {"uid": uid, "cn": name, "sn": name.split()[-1], "employeeNumber": number, "mail": mail,
                      "userPassword": password}  # fmt: skip
        if mobile:
            attributes["mobile"] = mobile
        add(f"uid={uid},ou=people,{BASE_DN}", ["inetOrgPerson"], attributes)
    conn.unbind()  # type: ignore[attr-defined]


def build(root: Path) -> Slapd:
    (root / "slapd.d").mkdir(parents=True)
    (root / "data").mkdir()
    _make_certificate(root)
    ldif = _CONFIG.format(root=root, base=BASE_DN, root_dn=ROOT_DN, root_pw=ROOT_PASSWORD, service=SERVICE_DN)
    (root / "config.ldif").write_text(ldif)
    subprocess.run(
        ["slapadd", "-n0", "-F", str(root / "slapd.d"), "-l", str(root / "config.ldif")],
        check=True, capture_output=True,
    )  # fmt: skip
    return Slapd(root, free_port())


@contextmanager
def running_slapd(root: Path) -> Iterator[Slapd]:
    """A slapd built in `root`, started and loaded with PEOPLE; stopped by its PID on the way out."""
    server = build(root)
    server.start()
    try:
        _load_people(server)
        yield server
    finally:
        server.stop()


@pytest.fixture
def slapd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    """A fresh slapd per test (about 0.3 s): tests change passwords, lock and unlock people."""
    if shutil.which("slapd") is None or shutil.which("slapadd") is None:
        pytest.skip("slapd is not installed (apt-get install slapd ldap-utils; .ci/run does it)")
    with running_slapd(tmp_path_factory.mktemp("slapd")) as server:
        yield server
