"""Every exception of the CLI and its local tools, in one place.

All but StopRequested and LeftToMoto end a command with exit code 2 and a message that says what to give
instead; StopRequested is no error: it carries SIGINT or SIGTERM out of `serve`'s wait, and LeftToMoto
never leaves the emulator (local.batch_puts hands such a request to moto's own handler).
"""

from __future__ import annotations


class UsageError(Exception):
    """A mistake in how the command was called: printed with the fix, exit code 2."""


class SourceChoiceError(Exception):
    """No data source (or several) was chosen: the message says which option to give."""


class ExecutionNotFound(LookupError):
    """No execution of this state machine has that ARN, name or name prefix."""


class ReprocessRefused(Exception):
    """Reprocessing would do nothing useful or cannot start: the message says why and what to do."""


class StopRequested(Exception):
    """SIGINT or SIGTERM arrived."""


class StateDirError(Exception):
    """`serve --state-dir` cannot use the directory: the message says why and what to do."""


class LeftToMoto(Exception):
    """A request the emulator's BatchWriteItem fast path does not take: moto's own handler answers it."""
