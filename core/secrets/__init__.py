"""Secrets and limits: one-time codes, reset links, hashing, password policy, rate limits and failure counts.

Everything here either makes a secret, checks one without keeping it in the clear, or bounds how often it may
be tried: `codes`, `links`, `hashing`, `answers` and `questions` (challenge questions), `password_policy`,
`limits` (failures that lock self-service), `ratelimit` (per-address and per-account request limits) and
`breached` (known breached passwords: a shipped list, and the Pwned Passwords file searched on disk).
"""
