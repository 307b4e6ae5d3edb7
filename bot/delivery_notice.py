"""When a code finally cannot be delivered, tell the person's conversation and offer another way.

The delivery worker (core/delivery/worker.py) runs apart from any chat turn, so it reports failures to a
listener; this is the one the app wires. It acts only if the conversation is still waiting for that very
code: someone who has moved on (switched method, started over) is not interrupted.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.engine import Engine
from bot.messages import Reply
from core.delivery.queue import DeliveryFailure
from core.i18n import N_, Translated, gettext
from core.types import HandoffReason, Requester
from dialogs.recovery import RecoveryDialog

__all__ = ["NOT_DELIVERED", "delivery_failure_notice"]

# Said inside from_support, which speaks the conversation's language: msgids, translated as they are read.
NOT_DELIVERED = Translated(
    {
        "email": N_("Sorry, I couldn't deliver your code by email."),
        "sms": N_("Sorry, I couldn't deliver your code by text message."),
    }
)
_ANOTHER_WAY = N_("Please choose another way.")


def delivery_failure_notice(engine: Engine) -> Callable[[DeliveryFailure], None]:
    def tell(failure: DeliveryFailure) -> None:
        def act(dialog: RecoveryDialog) -> list[Reply]:
            slots = dialog.slots
            waiting = slots.get("handle") == failure.recovery_id and slots.get("method") == failure.method
            if dialog.state != "enter_code" or not waiting:
                return []
            if dialog.service.options(failure.recovery_id).methods:
                dialog.say(f"{NOT_DELIVERED[failure.method]} {gettext(_ANOTHER_WAY)}")
                dialog.fire("switch")  # back to the choice of method, which lists what still works
            else:
                dialog.say(NOT_DELIVERED[failure.method])
                dialog.hand_off(HandoffReason.PROVIDER_DOWN)
            return dialog.replies

        engine.from_support(Requester(failure.channel, failure.user_id), act)

    return tell
