"""Errors meant for people, not for programmers.

A `UserError` is raised when the learner gave us something we cannot use (a
missing file, an empty text, a corrupt checkpoint). Step scripts catch it in
`buildai.script.run_step`, print its message as one short paragraph and exit
with code 2 -- no stack trace, because a stack trace is our problem, not theirs.
"""


class UserError(Exception):
    """Something the learner can fix. The message says what happened and what to do."""

    exit_code = 2
