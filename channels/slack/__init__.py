"""The Slack channel on slack-bolt: HTTP mode at POST /slack/events (signed requests), Socket Mode when an
app-level token is set. A thin adapter: SlackChannel (channel.py) wires bolt, listeners live in events.py,
Block Kit in render.py, Web API clients in client.py, support alerts in alerts.py."""

from __future__ import annotations

from channels.slack.channel import SlackChannel, SlackOptions, socket_mode_handler
from channels.slack.client import retry_handlers

__all__ = ["SlackChannel", "SlackOptions", "retry_handlers", "socket_mode_handler"]
