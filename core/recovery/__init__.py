"""Recovery: `RecoveryService`, the one object the dialogs call, and its steps.

`service` composes the steps over shared dependencies from `base`: `verify` (identify, send and check codes,
ask questions), `reset` (issue and use reset links, unlock) and `handoff` (tickets and live support).
"""
