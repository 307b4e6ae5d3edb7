"""Reports for operators, computed from the audit trail: figures for /agent/reports and the audit export."""
