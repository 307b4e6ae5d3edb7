"""Recovery: `RecoveryService`, the one object the dialogs call, and its steps.

`service` is a facade over step objects that share one frozen `RecoveryDeps` (`deps`): `verify` (identify,
send and check codes, ask questions), `reset` (issue and use reset links, unlock) and `handoff` (tickets and
live support); `standing` answers where a recovery stands (locked, verified, which methods come next).
"""
