"""The Typer application object and the single error boundary of the CLI.

Command modules (``tsforge/cli/<command>.py``) import ``app`` from here and decorate their
functions with ``@app.command()``; ``tsforge/cli/__init__.py`` imports them all. ``main`` turns
any :class:`tsforge.errors.TsforgeError` into a one-line ``error: ...`` on stderr and exit code 2.
"""

from __future__ import annotations

import inspect
import logging
import re
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from tsforge.arguments import reads_as_float
from tsforge.errors import TsforgeError, TsforgeWarning, cli_where, located

__all__ = [
    "app",
    "main",
    "console",
    "err_console",
    "print_note",
    "CommandGroup",
    "help_paragraphs",
    "no_track_hint",
]


def help_paragraphs(doc: str) -> list[str]:
    """A docstring as the paragraphs a terminal should show: each on one line, reST quotes dropped.

    Why: Typer (0.29, rich help) keeps a docstring's single line breaks, so text wrapped at the
    source's line length printed as ragged, half-empty lines; and the double backquotes that
    mark code in our docstrings are noise to a CLI user (single backquotes stay readable).
    """
    text = inspect.cleandoc(doc).replace("``", "`")
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


#: a command function: the decorator returns it unchanged (so its signature stays checked)
_Command = TypeVar("_Command", bound=Callable[..., Any])


class CommandGroup(typer.Typer):
    """A Typer app whose help shows each command's docstring as whole paragraphs.

    The command list shows the first paragraph as one line (``short_help``), the command's own
    ``--help`` page every paragraph joined (``help``) — see :func:`help_paragraphs` — unless a
    command passes ``short_help`` / ``help`` itself.
    """

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[_Command], _Command]:
        def register(f: _Command) -> _Command:
            doc = inspect.getdoc(f)
            if doc:
                paragraphs = help_paragraphs(doc)
                if kwargs.get("short_help") is None:
                    kwargs["short_help"] = paragraphs[0]
                if kwargs.get("help") is None:
                    kwargs["help"] = "\n\n".join(paragraphs)
            return super(CommandGroup, self).command(name, **kwargs)(f)

        return register


def _flags_show_no_type() -> None:
    """Show no ``<bool>`` beside an on/off flag in ``--help``.

    Why: Typer 0.29 prints every option's type, and ``--json <bool>``, ``--no-track <bool>``,
    ``--help <bool>`` read as flags that take a value: ``tsforge train ... --no-track true`` was
    then answered "Got unexpected extra argument (true)". A flag takes no value, so it shows none.
    """
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    # once, however often this module is reloaded; a Typer without the hook prints as it does
    if shown is None or getattr(shown, "_flags_untyped", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) and self.metavar is None:
            return None
        return shown(self, ctx)

    display_type_rich._flags_untyped = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_flags_show_no_type()

app = CommandGroup(
    name="tsforge",
    help="Profile a series, get a model recommendation with reasons, train, track in MLflow, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _consoles():
    from rich.console import Console

    return Console(), Console(stderr=True)


console, err_console = _consoles()


def quiet_third_party() -> None:
    """Keep the terminal readable: MLflow's info chatter and download bars go to the log level."""
    import os

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")  # read by mlflow when it is imported
    for name in ("mlflow", "alembic", "urllib3"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="mlflow")
    warnings.filterwarnings("ignore", category=UserWarning, module="pydantic")


def print_note(message: str) -> None:
    """One ``note: ...`` on stderr: something the user should know that is not an error."""
    from rich.markup import escape

    err_console.print(f"[yellow]note[/]: {escape(message)}", highlight=False)


def _notes_first(show: Callable[..., None]) -> Callable[..., None]:
    """A ``warnings.showwarning`` printing tsforge's own warnings as one ``note:`` line on stderr
    (each text once: ``profile`` reads a file as series, then as a panel, and ``forecast --plot``
    parses the history three times, so a reader's note was printed two or three times) and
    handing every other warning to ``show`` (the handler installed before). A warning with a
    ``cli_message`` (the same note naming ``--time-format`` where its text names ``time_format``
    in Python) is printed in those words."""
    shown: set[str] = set()

    def show_warning(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, TsforgeWarning):
            text = getattr(message, "cli_message", None) or str(message)
            if text not in shown:
                shown.add(text)
                print_note(text)
        else:
            show(message, category, *args, **kwargs)

    return show_warning


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    import tsforge.cli  # noqa: F401  (registers every command module)

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    quiet_third_party()
    warnings.showwarning = _notes_first(warnings.showwarning)
    try:
        _run(argv)
    except KeyboardInterrupt:  # a Ctrl-C pressed again while the first (or an error) was answered
        print("interrupted", file=sys.stderr)
        _shut_down_ray(said_interrupted=True)
        raise SystemExit(130) from None
    except SystemExit as stop:
        _shut_down_ray(said_interrupted=stop.code == 130)
        raise
    except BaseException:  # a bug: its traceback follows
        _shut_down_ray(said_interrupted=False)
        raise
    _shut_down_ray(said_interrupted=False)


def _shut_down_ray(*, said_interrupted: bool) -> None:
    """Stop the local Ray instance the command started (or leave the cluster it joined) as the
    command ends, however it ends (:func:`tsforge.engine.shut_down_ray`); ``said_interrupted``:
    the command already printed ``interrupted`` and exits 130.

    Why here: otherwise Ray's own ``atexit`` hook stopped it, with Ctrl-C live, and a second
    Ctrl-C broke that half-way (``Exception ignored in atexit callback … KeyboardInterrupt``, and
    Ray's agents left running for minutes). A Ctrl-C during this shutdown is raised once the
    shutdown is done, and the command then ends as a Ctrl-C ends it.
    """
    from tsforge.engine import shut_down_ray

    try:
        shut_down_ray()
    except KeyboardInterrupt:
        if not said_interrupted:
            print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None


def _run(argv: list[str] | None) -> None:
    """Run the command ``argv`` asks for; a user's error, a Ctrl-C and a ``kill`` end it with
    their one line and exit code (:class:`SystemExit`)."""
    try:
        rc = app(args=argv, standalone_mode=False)
        if isinstance(rc, int) and rc:  # Typer turns Ctrl-C into Exit(130) and *returns* the code here
            if rc == 130:
                print("interrupted", file=sys.stderr)
            raise SystemExit(rc)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as exc:
        _exit_if_interrupted(exc)
        args = sys.argv[1:] if argv is None else argv
        hint = no_track_hint(args) if "--no-track" in str(exc) else None
        _exit_for_error(exc, hint or spaced_values_hint(args) or input_length_hint(args), args=args)
        raise


def _exit_if_interrupted(exc: Exception) -> None:
    """Exit as a Ctrl-C (130) or ``kill`` (143) would when ``exc`` is an error a library raised
    while the interrupt went through it (Optuna's trial loop turns a Ctrl-C that lands in its
    journal write into ``UnboundLocalError``): the user stopped the command, so they get
    ``interrupted`` and the conventional code, not a traceback and exit code 1."""
    from tsforge.tracking.runs import interruption

    stopped = interruption(exc)
    if stopped is None:
        return
    code = stopped.code if isinstance(stopped, SystemExit) else 130
    if code == 130:
        print("interrupted", file=sys.stderr)
    raise SystemExit(code) from None


#: options that take one number per flag, with how to give several (``--quantiles`` also takes
#: a comma-separated list)
_NUMBER_LIST_OPTIONS = {"--level": "--level 80 --level 95", "--quantiles": "--quantiles 0.1,0.5,0.9"}


def spaced_values_hint(args: list[str]) -> str | None:
    """How to give several values, when ``args`` give an option of :data:`_NUMBER_LIST_OPTIONS`
    two numbers in a row (``--level 80 95``, ``--quantiles 0.1 0.5 0.9``); else ``None``.

    Why: the second number is read as the next argument, and the error that follows speaks of
    that argument — "Got unexpected extra argument(s) (0.5 0.9)", "two history sources given
    ('95' and --input 'h.csv')", a file '95' not found — never of the option the user mistyped.
    """
    for i, arg in enumerate(args[:-2]):
        if arg in _NUMBER_LIST_OPTIONS and reads_as_float(args[i + 1]) and reads_as_float(args[i + 2]):
            return (
                f"{arg} takes one value per flag, so {args[i + 2]!r} was read as another argument: "
                f"write {_NUMBER_LIST_OPTIONS[arg]}"
            )
    return None


#: commands whose ``--input`` (``-L``) is the model's input window length, a number of steps
_INPUT_LENGTH_COMMANDS = ("train", "tune")


def input_length_hint(args: list[str]) -> str | None:
    """What ``--input`` is, when ``train`` or ``tune`` is given ``--input FILE``; else ``None``.

    Why: ``tsforge forecast --input history.csv`` names the history file, and the README shows it
    beside ``train``; ``tsforge train --input my.csv`` was answered "Invalid value for '--input' /
    '-L': Input should be a valid integer", with no word on where the file goes.
    """
    if not args or args[0] not in _INPUT_LENGTH_COMMANDS:
        return None
    pairs = [(flag, value) for flag, value in zip(args[1:-1], args[2:], strict=True)]
    pairs += [("--input", arg.split("=", 1)[1]) for arg in args if arg.startswith("--input=")]
    for flag, value in pairs:
        if flag in ("--input", "-L") and not reads_as_float(value):
            return (
                f"in {args[0]}, --input/-L is the input window length, a number of steps; the data is "
                f"its argument: tsforge {args[0]} {value} ...; --input FILE is forecast's history file"
            )
    return None


#: commands that log to MLflow whenever they train, and take no ``--no-track``
_ALWAYS_TRACKED = {"recommend": "recommend --train", "tune": "tune", "demo": "demo"}
#: commands with ``--no-track`` (``recommender build``'s is a ``--track/--no-track`` pair)
_TAKE_NO_TRACK = ("train", "cv", "recommender")


def no_track_hint(args: list[str]) -> str | None:
    """What to do instead, when ``--no-track`` is refused by a command that has none.

    Why: ``train`` and ``cv`` take it, and a script that added it to every command was answered
    "No such option: --no-track" by ``evaluate`` (which logs nothing) and by ``recommend --train``
    (which always logs and registers), with no word on either.
    """
    if not args or args[0] in _TAKE_NO_TRACK or "--no-track" not in args:
        return None
    command = args[0]
    if command in _ALWAYS_TRACKED:
        return (
            f"{_ALWAYS_TRACKED[command]} always logs to MLflow; to keep its runs out of your store, "
            "point MLFLOW_TRACKING_URI at another, e.g. sqlite:///scratch.db"
        )
    return f"{command} logs nothing to MLflow: leave --no-track out"


def _exit_for_error(exc: Exception, hint: str | None = None, *, args: list[str] | None = None) -> None:
    """One ``error: ...`` line and exit code 2 for what the user can fix (returns for the rest);
    ``hint`` (:func:`spaced_values_hint`) ends that line; ``args``: the command line, whose
    command's options name the error's ``field`` (:func:`flag_worded`)."""
    if isinstance(exc, TsforgeError):
        message = flag_worded(exc, args or [])
    elif isinstance(exc, FileNotFoundError):
        message = f"file not found: {exc.filename or exc}"
    elif isinstance(exc, OSError):  # a path the checks up front could not foresee (a full disk, a race)
        where = f"{exc.filename}: " if exc.filename else ""
        message = f"{where}{exc.strerror or exc}"
    elif type(exc).__name__ == "Abort":  # Typer's vendored click: Ctrl-C at a prompt
        raise SystemExit(130) from None
    elif hasattr(exc, "format_message") and hasattr(exc, "exit_code"):  # usage errors
        message = exc.format_message()
    else:
        return
    print(f"error: {message}" + (f" ({hint})" if hint else ""), file=sys.stderr)
    raise SystemExit(2) from None


def invoked_command(args: list[str]) -> Any:
    """The (sub)command ``args`` run (``recommender build`` → ``build``), or None where ``args``
    name none; found by name, level by level, as the command line would be dispatched."""
    import typer.main

    if not isinstance(app, typer.Typer):  # a test's stand-in for the application
        return None
    command: Any = typer.main.get_command(app)
    for arg in args:
        commands = getattr(command, "commands", None)
        if not commands:
            break
        if arg in commands:
            command = commands[arg]
    return None if getattr(command, "commands", None) else command


#: options that give what an argument gives (``--dataset`` for DATA): named only where typed
_ARGUMENT_TWINS = frozenset({"dataset"})


def option_for_field(field: object, args: list[str]) -> str | None:
    """The long option of the command ``args`` ran whose parameter is ``field`` (``level`` →
    ``--level``; the service's ``level[0]`` form too), or None where it has no such option, or
    where it is the twin of an argument (:data:`_ARGUMENT_TWINS`) the user did not type.

    Why the twins: ``train``, ``cv`` and ``evaluate`` take DATA as an argument and also as
    ``--dataset``, and a dataset typed as the argument that was not found ended "(--dataset)".
    Other options are named typed or not: a default the user never typed (``serve``'s
    ``--port``) is still the flag that changes it.
    """
    if not isinstance(field, str) or not field:
        return None
    name = field.split("[", 1)[0]
    command = invoked_command(args)
    for param in getattr(command, "params", ()):
        if param.name == name and param.param_type_name == "option":
            longs = [o for o in param.opts if o.startswith("--")]
            typed = any(a in param.opts or a.split("=", 1)[0] in longs for a in args)
            return longs[0] if longs and (typed or name not in _ARGUMENT_TWINS) else None
    return None


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, …, ``11th``, ``12th``, ``13th``, ``21st``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def flag_worded(exc: TsforgeError, args: list[str]) -> str:
    """``exc``'s one-line message naming the option the user typed, where its ``field`` is an
    option of the command ``args`` ran: ``--level must be between 0 and 100 (exclusive), got 150``
    where it read ``level must be … got 150 (field='level')``, and ``got nan (the 2nd --level
    value)`` for ``got nan at position 1``.

    Why: the field is the Python argument's name (and the position a Python list's index), what
    the service and the Python API answer; the README promises the CLI names the flag, and a
    user of ``tsforge forecast --level 80 --level nan`` counts flags, not list positions. Other
    location keys (``h=100``) stay, less the places the sentence says
    (:func:`~tsforge.errors.cli_where`); a field that is an environment variable is said as
    ``$TSFORGE_ENGINE`` (:func:`variable_worded`); another field with no option of this command
    (``series[0]``) stays as it was.
    """
    field = exc.where.get("field")
    flag = option_for_field(field, args)
    if flag is None:
        return variable_worded(exc) if _names_a_variable(field) else exc.for_cli()
    text = exc.cli_message or exc.message
    name = str(field).split("[", 1)[0]
    if text.startswith(f"{name} "):
        text = flag + text[len(name) :]
    text = re.sub(r" at position (\d+)\b", lambda m: f" (the {_ordinal(int(m[1]) + 1)} {flag} value)", text)
    where = cli_where(text, {k: v for k, v in exc.where.items() if k != "field"})
    if flag not in text and concerns_option(exc, flag, args):
        # a group of its own: inside the location list, "(--horizon, series='TINY')" read as
        # though the flag were a place, or a parenthesis of the advice before it
        text = f"{text} ({flag})"
    return located(text, where)


#: an environment variable's name (``TSFORGE_ENGINE``, ``RAY_ADDRESS``); a parameter's is lower case
_VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def _names_a_variable(field: object) -> bool:
    """Whether the error's ``field`` is an environment variable: the value refused came from it."""
    return isinstance(field, str) and _VARIABLE_NAME.fullmatch(field) is not None


def variable_worded(exc: TsforgeError) -> str:
    """``exc``'s one-line message ending ``($TSFORGE_ENGINE)``, as a refusal of an option ends
    ``(--engine)``, where its ``field`` is the environment variable the refused value came from;
    a sentence that already says ``$TSFORGE_ENGINE`` ("… (from $RAY_ADDRESS): …") gets no second.

    Why: ``TSFORGE_ENGINE=bogus tsforge profile …`` ended ``(field='TSFORGE_ENGINE')``, the
    Python form, where every other refusal on the command line names what the user can change
    in the words they type it.
    """
    field = str(exc.where["field"])
    text = exc.cli_message or exc.message
    where = cli_where(text, {k: v for k, v in exc.where.items() if k != "field"})
    said = f"${field}"
    if not re.search(rf"{re.escape(said)}(?!\w)", text):
        text = f"{text} ({said})"
    return located(text, where)


def concerns_option(exc: TsforgeError, flag: str, args: list[str]) -> bool:
    """Whether ``exc``, whose ``field`` is the parameter of ``flag``, is a refusal of that option,
    so that its line may end ``(flag)``: the user typed the option, or the command's own checks
    (code of :mod:`tsforge.cli`) made the refusal; one made and not raised counts as theirs.

    Why: a field is the name of the parameter of the code that refused, and deeper code's
    parameters share names with options that do not concern it: ``train``'s refusal "no val
    windows to calibrate intervals on" (the calibration's ``split="val"``) ended ``(--split)``,
    an option the user never typed and whose value was not the one refused. Deeper refusals of
    an option's value the user left at its default say the option in their own words (a
    horizon's refusal names ``--horizon N``), and a message that begins with the parameter
    still has it said as the flag (:func:`flag_worded`).
    """
    longs = {flag}
    command = invoked_command(args)
    for param in getattr(command, "params", ()):
        if flag in getattr(param, "opts", ()):
            longs.update(param.opts)
    if any(a in longs or a.split("=", 1)[0] in longs for a in args):
        return True
    return _raised_in_cli(exc)


def _raised_in_cli(exc: BaseException) -> bool:
    """Whether ``exc`` was raised by code of :mod:`tsforge.cli` (its innermost frame), or never
    raised at all."""
    tb = exc.__traceback__
    if tb is None:
        return True
    while tb.tb_next is not None:
        tb = tb.tb_next
    return str(tb.tb_frame.f_globals.get("__name__", "")).startswith("tsforge.cli")
