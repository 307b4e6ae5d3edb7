"""Enrollment (issue 16): employees set up and keep their own recovery methods.

`EnrollmentService` (core/enrollment/service.py, wired as `Core.enrollment`) is the one API the /enroll page
and the chat call; it is a facade over small parts that share one `EnrollmentDeps` (`deps`): `sign_in` (the
password check with recovery's limits and lock), `contacts` (add a mobile or email, confirmed by a code),
`questions` (choose and answer from the pool), `methods` (what is on file, remove, reconfirm), `notices` (the
"your recovery methods changed" message to every contact on file before the change), `coverage` (the report
and the nudges) and `proof` (a freshly verified recovery as an account id). `store` holds the reads recovery
shares: the contacts a recovery may use (`recovery_account`). The values taken and returned are in `types`.

Kept free of imports here: core.recovery imports `store`, and the service imports core.recovery.
"""
