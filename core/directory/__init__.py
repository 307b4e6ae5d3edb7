"""The directory: where employees' accounts and passwords live.

`port` declares what recovery needs (`DirectoryBackend`, `Account`); `sql` is the embedded default backend,
with `importer` (CSV) and `demo` (demo employees) filling it. Other backends (LDAP, Active Directory) drop in
beside `sql` and implement the same port.
"""
