"""SMS adapters for the `SmsSender` port: the database outbox (demo) and Twilio's Messages API.

Bodies carry one-time codes, so they are never logged and never put in an exception: a failure becomes
`DeliveryError("sms", <reason>)` raised `from None`, with at most Twilio's error code and HTTP status.
"""

from __future__ import annotations

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from core.clock import Clock
from core.delivery.outbox import Outbox
from core.delivery.ports import DeliveryError
from core.storage.db import Database

__all__ = ["OutboxSmsSender", "TwilioSmsSender"]


class OutboxSmsSender:
    """Keeps each SMS in `outbox_messages`, shown on the demo outbox page."""

    name = "outbox"

    def __init__(self, database: Database, clock: Clock) -> None:
        self._outbox = Outbox(database, clock)

    def send(self, to: str, body: str) -> None:
        self._outbox.keep("sms", to, body)


class TwilioSmsSender:
    """Sends through the official Twilio SDK (`client.messages.create`).

    `api_url` replaces https://api.twilio.com (a local fake in tests, or a regional edge such as
    https://api.dublin.ie1.twilio.com): the SDK builds every Messages URL from its `Api` domain's
    `base_url`, so setting that one attribute moves the whole client.
    """

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        *,
        api_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.from_number = from_number
        # One client (and requests session, so kept-alive connections) per sender; the timeout bounds
        # connect and each read, so a hung provider costs at most `timeout` seconds.
        http_client = TwilioHttpClient(timeout=timeout)
        self._client = Client(account_sid, auth_token, http_client=http_client)
        if api_url:
            self._client.api.base_url = api_url.rstrip("/")
            # An explicit URL wins over TWILIO_EDGE / TWILIO_REGION, which would rewrite its host name.
            self._client.edge = None
            self._client.region = None

    def send(self, to: str, body: str) -> None:
        try:
            self._client.messages.create(to=to, from_=self.from_number, body=body)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise DeliveryError("sms", f"Twilio error {exc.code} (HTTP {exc.status})") from None
        except TwilioException as exc:
            raise DeliveryError("sms", f"Twilio client error ({type(exc).__name__})") from None
        except requests.Timeout:
            raise DeliveryError("sms", "timed out") from None
        except requests.ConnectionError:
            raise DeliveryError("sms", "connection failed") from None
        except requests.RequestException as exc:
            raise DeliveryError("sms", f"request failed ({type(exc).__name__})") from None
        except ValueError:
            # A 2xx whose body is not JSON: something other than Twilio answered.
            raise DeliveryError("sms", "unreadable response from provider") from None
