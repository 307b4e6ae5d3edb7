"""Live support, the bot side: an agent's words and actions reach the person on their own channel."""

from __future__ import annotations

from bot.engine import Engine
from bot.messages import Link, Reply
from core.i18n import current_language, use_language
from core.recovery.service import RecoveryService
from core.support.desk import AgentInfo, SupportDesk
from core.support.system_lines import CODE_NOT_SENT, CODE_SENT, LINK_SENT, line
from core.types import Method, Requester, SendStatus
from dialogs.prompts import TEXT
from dialogs.recovery import RecoveryDialog

__all__ = ["SupportRelay"]


class SupportRelay:
    def __init__(self, engine: Engine, desk: SupportDesk, service: RecoveryService) -> None:
        self._engine = engine
        self._desk = desk
        self._service = service

    def say(self, reference: str, agent: AgentInfo, text: str) -> bool:
        """Send the agent's message to the person. False when their channel cannot push (terminal)."""
        requester = self._desk.say(reference, agent, text)
        with use_language(self._language_of(requester)):  # the console's request speaks the agent's language
            reply = Reply(text.strip(), author="agent")  # its channel labels it "IT support" in reply.lang
        return self._engine.push.deliver(requester.channel, requester.user_id, [reply])

    def _language_of(self, requester: Requester) -> str:
        """The conversation's language, read inside a no-op outside event (the default if it is busy)."""
        spoken: list[str] = []

        def note(dialog: RecoveryDialog) -> list[Reply]:
            spoken.append(current_language())  # from_support runs this in the conversation's language
            return []

        self._engine.from_support(requester, note)
        return spoken[0] if spoken else self._engine.language({})

    def close(self, reference: str, agent: AgentInfo, outcome: str) -> None:
        """Close the ticket; the person's conversation leaves hand-off (back to the bot for "returned")."""
        requester = self._desk.close(reference, agent, outcome)
        returned = outcome == "returned"

        def finished(dialog: RecoveryDialog) -> list[Reply]:
            replies = dialog.support_finished(returned=returned)
            if not replies and not returned:
                # They had left the hand-off already (the agent sent a link or a code, perhaps used): still tell
                # them, inside the conversation's turn so the notice is in its language and in the transcript.
                replies = [Reply(TEXT["support_closed"])]
            return replies

        if not self._engine.from_support(requester, finished) and not returned:
            # The conversation was busy: its language can't be read now, so the notice goes in the default one.
            with use_language(self._engine.language({})):
                notice = Reply(TEXT["support_closed"])
            self._engine.push.deliver(requester.channel, requester.user_id, [notice])

    def send_code(self, reference: str, agent: AgentInfo, method: Method, reason: str) -> SendStatus:
        """Send a code to a contact on file; the person types it in their chat and the bot carries on."""
        handle, requester = self._desk.owned_recovery(reference, agent)
        self._service.agent_override(handle, agent=agent.username, reason=reason)
        replies = self._engine.from_support(requester, lambda dialog: dialog.agent_sent_code(handle, method))
        sent = any(reply.expects == "code" for reply in replies)
        self._desk.note(
            reference, line(CODE_SENT if sent else CODE_NOT_SENT, method=method.value, agent=agent.display_name)
        )
        return SendStatus.SENT if sent else SendStatus.UNAVAILABLE

    def send_link(self, reference: str, agent: AgentInfo, reason: str) -> None:
        """Issue a reset link straight to the person's chat; the agent never sees it."""
        handle, requester = self._desk.owned_recovery(reference, agent)
        link = self._service.agent_issue_link(handle, agent=agent.username, reason=reason)
        self._engine.from_support(
            requester, lambda dialog: dialog.agent_sent_link(handle, Link(link.url, TEXT["link_label"]))
        )
        self._desk.note(reference, line(LINK_SENT, agent=agent.display_name))
