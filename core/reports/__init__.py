"""Reports over the audit trail: the figures of /agent/reports (figures.py), and the audit export (export.py)."""
