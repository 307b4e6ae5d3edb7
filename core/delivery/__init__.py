"""Delivery: getting a code, link or notice to a person, and an alert to support.

`ports` declares the senders; `email` (SMTP) and `sms` (Twilio) are the provider adapters, `outbox` keeps
messages in the database instead (demo and tests), `breaker` stops calling a provider that keeps failing,
`notify` words the notices and `alerts` the ticket alerts.
"""
