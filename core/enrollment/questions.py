"""Choosing challenge questions from the pool and answering them, with rules that keep answers guessable only
by their owner: at least RESETDESK_QUESTIONS_MIN_ENROLLED, answers of 3 characters or more, no two the same
(compared as recovery compares them: NFKC, casefolded, spaces collapsed), and none containing the person's
name, username or employee ID. Stored argon2id-hashed by the AnswerStore, as an import does."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import update

from core.enrollment.deps import EnrollmentDeps
from core.enrollment.methods import ACTOR, MethodsStep
from core.i18n import gettext, ngettext
from core.secrets.questions import QUESTION_POOL, Question, find_question, normalise_answer
from core.storage.models import ChallengeAnswer

__all__ = ["MIN_ANSWER_LENGTH", "QuestionsStep"]

MIN_ANSWER_LENGTH = 3
_MIN_PART = 3  # shorter name parts ("Li", "Jo") would forbid too many honest answers


class QuestionsStep:
    def __init__(self, deps: EnrollmentDeps, methods: MethodsStep) -> None:
        self._deps = deps
        self._methods = methods

    def pool(self) -> tuple[Question, ...]:
        return QUESTION_POOL

    def problems(self, account_id: int, answers: Mapping[str, str]) -> tuple[str, ...]:
        """What is wrong with these answers, in plain words (never quoting an answer)."""
        required = self._deps.limits.questions_required
        found: list[str] = []
        unknown = [qid for qid in answers if (q := find_question(qid)) is None or q.id != qid]
        if unknown:
            return (gettext("Choose the questions from the list."),)
        if len(answers) < required:
            found.append(
                ngettext(
                    "Choose and answer at least %(num)d question.",
                    "Choose and answer at least %(num)d questions.",
                    required,
                )
                % {"num": required}
            )
        personal = self._personal_words(account_id)
        seen: set[str] = set()
        for qid, answer in answers.items():
            text = gettext(find_question(qid).text)  # type: ignore[union-attr]  # checked above; read in the page's language
            normalised = normalise_answer(answer)
            if len(normalised) < MIN_ANSWER_LENGTH:
                found.append(
                    gettext("The answer to “%(question)s” must be at least %(num)d characters.")
                    % {"question": text, "num": MIN_ANSWER_LENGTH}
                )
            elif any(word in normalised for word in personal):
                found.append(
                    gettext("The answer to “%(question)s” must not contain your name, username or employee ID.")
                    % {"question": text}
                )
            if normalised in seen:
                found.append(gettext("Each answer must be different from the others."))
            seen.add(normalised)
        return tuple(dict.fromkeys(found))

    def set_questions(self, account_id: int, answers: Mapping[str, str]) -> tuple[str, ...]:
        found = self.problems(account_id, answers)
        if found:
            return found
        deps = self._deps
        targets = self._methods.notices.on_file(account_id)  # before the change
        had = self._methods.on_file(account_id).questions is not None
        deps.answers.enrol(account_id, dict(answers))  # argon2id, replacing the old answers
        now = deps.clock.now()
        with deps.database.transaction() as session:
            mine = ChallengeAnswer.account_id == account_id
            session.execute(update(ChallengeAnswer).where(mine).values(enrolled_at=now))
            change = "questions_changed" if had else "questions_set"
            sent = self._methods.notices.queue(session, targets, change, now)
            deps.audit.record(
                session, "enroll.questions_set", actor=ACTOR, account_id=account_id, count=len(answers), notices=sent
            )
        return ()

    def _personal_words(self, account_id: int) -> list[str]:
        account = self._deps.directory.get(account_id)
        if account is None:
            return []
        words = [account.employee_id, account.username or "", *account.full_name.split()]
        return [w for w in (normalise_answer(word) for word in words) if len(w) >= _MIN_PART]
