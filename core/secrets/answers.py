"""Challenge-question answers: normalised, hashed with argon2id, verified without saying which was wrong."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import bindparam, delete, select

from core.secrets.hashing import SlowHasher
from core.secrets.questions import QUESTION_POOL, find_question, normalise_answer
from core.storage import models
from core.storage.db import Database

__all__ = ["AnswerStore"]

# Read on most turns (which methods an account offers): built once, run with a parameter.
_ENROLLED = select(models.ChallengeAnswer.question_id).where(
    models.ChallengeAnswer.account_id == bindparam("account_id")
)


class AnswerStore:
    def __init__(self, database: Database, hasher: SlowHasher) -> None:
        self._db = database
        self._hasher = hasher

    def enrol(self, account_id: int, answers: Mapping[str, str]) -> None:
        """Replace the account's answers with these ({question_id: answer}); an empty mapping clears them."""
        for question_id, answer in answers.items():
            question = find_question(question_id)
            if question is None or question.id != question_id:
                raise ValueError(f"unknown question id {question_id!r}")
            if not normalise_answer(answer):
                raise ValueError(f"the answer to {question_id} is empty")
        # Hash before the transaction so no database lock is held during argon2.
        hashed = {qid: self._hasher.hash(normalise_answer(answer)) for qid, answer in answers.items()}
        with self._db.transaction() as session:
            session.execute(delete(models.ChallengeAnswer).where(models.ChallengeAnswer.account_id == account_id))
            session.add_all(
                models.ChallengeAnswer(account_id=account_id, question_id=qid, answer_hash=answer_hash)
                for qid, answer_hash in hashed.items()
            )

    def enrolled(self, account_id: int) -> list[str]:
        """Question ids with an answer on file, in pool order."""
        with self._db.engine.connect() as connection:  # Core: a read needs no ORM session
            ids = set(connection.execute(_ENROLLED, {"account_id": account_id}).scalars())
        order = {q.id: n for n, q in enumerate(QUESTION_POOL)}
        return sorted(ids, key=lambda qid: (order.get(qid, len(order)), qid))

    def verify(self, account_id: int, answers: Mapping[str, str]) -> bool:
        """True only when at least one answer is given, each question is enrolled and each answer right.

        Every answer is checked (a missing one against a decoy) so the time taken does not show which failed.
        """
        if not answers:
            return False
        with self._db.transaction() as session:
            stored = dict(
                session.execute(
                    select(models.ChallengeAnswer.question_id, models.ChallengeAnswer.answer_hash).where(
                        models.ChallengeAnswer.account_id == account_id
                    )
                ).all()
            )
        results = [self._hasher.verify(stored.get(qid), normalise_answer(answer)) for qid, answer in answers.items()]
        return all(results)

    def verify_decoy(self, count: int) -> None:
        """Spend the time of checking `count` answers, for an account that does not exist."""
        for _ in range(max(count, 0)):
            self._hasher.burn()
