"""`python app.py run`, and where links point when RESETDESK_PUBLIC_URL is not set: at the address served.

Reset links, Slack/Telegram link buttons, emails and console links are all built from the settings' public
URL. Unset, it is the host and port `run` listens on (--host/--port, else RESETDESK_HOST/RESETDESK_PORT, else
127.0.0.1:5000); the other commands (chat, demo-data, create-agent) use the same variables, so they agree with a
`run` started with them. Never from a request's Host header: a client could choose it and so the host of a
reset link. Behind a proxy, under another host name, with https or under a WSGI server, set the public URL.
"""

from __future__ import annotations

import argparse
import ipaddress
from collections.abc import Callable, Iterable

from werkzeug.serving import BaseWSGIServer, make_server

from app import Core, create_app, wiring
from core.settings import Settings, load_settings

__all__ = ["configured_address", "links_served_at", "listen", "run", "run_arguments", "served_url"]

_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 - names, not a bind


def served_url(host: str, port: int) -> str:
    """The base URL of a server listening on host:port; on every interface (0.0.0.0), this machine's loopback."""
    host = _WILDCARDS.get(host, host)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    shown = f"[{host}]" if literal is not None and literal.version == 6 else host
    return f"http://{shown}:{port}"


def links_served_at(settings: Settings, host: str, port: int) -> Settings:
    """The settings with links pointing at host:port, unless RESETDESK_PUBLIC_URL is set (it always wins).
    Loaded again rather than copied, so every start-up check sees the URL links will use."""
    if "public_url" in settings.model_fields_set:
        return settings
    return load_settings(public_url=served_url(host, port))


def configured_address(settings: Settings, args: argparse.Namespace) -> Settings:
    """For commands that do not serve (chat, demo-data...): links point where `run` would with these settings."""
    return settings if settings.port == 0 else links_served_at(settings, settings.host, settings.port)


def listen(settings: Settings, args: argparse.Namespace) -> Settings:
    """Listen before the app is built, so the port is known (0: any free one) and links use it."""
    host = settings.host if args.host is None else args.host
    port = settings.port if args.port is None else args.port
    args.host, args.server = host, make_server(host, port, _starting, threaded=True)  # in use: says so, exits 1
    return links_served_at(settings, host, args.server.server_port)


def run(core: Core, args: argparse.Namespace) -> int:
    server: BaseWSGIServer = args.server
    app = create_app(core=core)
    server.app = app
    wired = wiring(app)
    wired.delivery.start()
    for start in wired.background():
        start()
    served = served_url(args.host, server.server_port)
    print(f"ResetDesk on {served}  (links point at {core.settings.public_url}; Ctrl-C stops it)", flush=True)
    if args.host in _WILDCARDS and core.settings.public_url == served:
        print("Listening on every interface, but links name this machine's loopback address: set "
              "RESETDESK_PUBLIC_URL to the address other machines open.", flush=True)  # fmt: skip
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default RESETDESK_HOST, else 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, help="port to listen on, 0 for any free one (default RESETDESK_PORT, else 5000)"
    )


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {text!r}")
    return int(text)


def _starting(environ: dict[str, object], start_response: Callable[..., object]) -> Iterable[bytes]:
    """Never answers: the socket listens before the app exists, and requests wait until it does."""
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting\n"]
