"""``DATA`` / ``--dataset``: how every command that reads a dataset is told which one.

``tsforge profile DATA`` and ``tsforge recommend DATA`` take the data as their argument, so a
user naturally types ``tsforge train sales.csv`` next; the commands that historically took
``--dataset/-d`` (train, evaluate, cv, tune) accept both forms, and refuse to guess when given
two different sources or none. The options saying how the data is read (``--id-col`` …
``--coords``) are declared once here and given to each such command by :func:`reads_data`. Also
the parsing of list options (``--model a,b``, ``--quantiles``) and of ``key=value`` options
(``--option``, ``--train-option``).
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Collection, Sequence
from typing import Annotated, Any, TypeVar

import typer

from tsforge.cli.output_paths import looks_like_file
from tsforge.data.validation import shell_word
from tsforge.errors import ConfigError

__all__ = [
    "DataArgument",
    "DatasetOption",
    "IdColOption",
    "TargetColOption",
    "TimeColOption",
    "TimeFormatOption",
    "FreqOption",
    "FillGapsOption",
    "ValueColsOption",
    "DropShortOption",
    "CoordsOption",
    "reader_flags",
    "reader_options",
    "reads_data",
    "data_source",
    "comma_items",
    "key_value_options",
]

DataArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="DATA",
        help="Catalogue name (see `tsforge datasets`) or CSV/Parquet file; or give it as --dataset.",
        show_default=False,
    ),
]
DatasetOption = Annotated[
    str | None,
    typer.Option("--dataset", "-d", help="The same as DATA, as an option.", show_default=False),
]
# The long-format column names, declared once so every command that reads data describes them
# alike (:func:`reader_options` turns them into loader options).
IdColOption = Annotated[str, typer.Option("--id-col", help="Long format: series id column.")]
TimeColOption = Annotated[
    str | None,
    typer.Option("--time-col", help="Time column (default: ds for long data, detected for wide data)."),
]
TargetColOption = Annotated[str, typer.Option("--target-col", help="Long format: value column.")]
# The library's ``time_format=``: the one way to say how ambiguous dates (10/01/2017 as 10 January,
# Jan-10 as January 2010 or not) or unusual ones (20170110 1300) are read, short of rewriting them.
TimeFormatOption = Annotated[
    str | None,
    typer.Option(
        "--time-format",
        help="How the time column's dates are written, as a strftime format: %d/%m/%Y reads "
        "10/01/2017 as 10 January, %Y%m%d %H%M reads 20170110 1300; default: inferred.",
        show_default=False,
    ),
]
# How a file's timestamps are read: the two ways out of an "irregular spacing" error.
FreqOption = Annotated[
    str | None,
    typer.Option(
        "--freq",
        help="Frequency of a file's timestamps as a pandas alias (h, D, W-SUN, MS, QS, YS); "
        "default: inferred.",
        show_default=False,
    ),
]
FillGapsOption = Annotated[
    bool,
    typer.Option(
        "--fill-gaps",
        help="Insert the missing timestamps of a file's series as missing values instead of "
        "refusing the file.",
    ),
]
# A wide file with columns that are not series (a comment, a flag) is otherwise refused.
ValueColsOption = Annotated[
    str | None,
    typer.Option(
        "--value-cols",
        help="Wide format: the series columns, comma-separated (default: every column but the "
        "time column); leaves out text columns such as notes or flags.",
        show_default=False,
    ),
]

DropShortOption = Annotated[
    bool,
    typer.Option(
        "--drop-short",
        help="Panels: leave out the series too short for the holdout (1 + 2 × horizon values), "
        "or with fewer than two values, with a note saying how many, instead of refusing the panel.",
    ),
]

# Station coordinates (the library's ``coords=``): STPE-MLP encodes them when it trains on a wide
# file, and a model trained with them forecasts a new station from its coordinates.
CoordsOption = Annotated[
    str | None,
    typer.Option(
        "--coords",
        help="Station coordinates: a CSV/Parquet table with one row per station (its id, then lat and "
        "lon columns), for a wide file of stations, or to forecast a station a model trained with "
        "them has not seen.",
        show_default=False,
    ),
]

# How a command reads its data, in the order every such command lists the options, each with its
# default: the one place these are written (see :func:`reads_data`).
_READER_PARAMETERS: tuple[tuple[str, Any, Any], ...] = (
    ("id_col", IdColOption, "unique_id"),
    ("time_col", TimeColOption, None),
    ("time_format", TimeFormatOption, None),
    ("target_col", TargetColOption, "y"),
    ("freq", FreqOption, None),
    ("fill_gaps", FillGapsOption, False),
    ("value_cols", ValueColsOption, None),
    ("coords", CoordsOption, None),
)

_Command = TypeVar("_Command", bound=Callable[..., Any])


def reads_data(*, coords: bool = True, only: Collection[str] | None = None) -> Callable[[_Command], _Command]:
    """Give a command the reader options (``--id-col`` … ``--value-cols``, and ``--coords`` unless
    ``coords=False``) in place of its ``load_kwargs`` parameter, which receives them as
    :func:`reader_options`. ``only``: the options' parameter names (``"id_col"``, ``"time_format"``
    …) for a command that reads its file otherwise and takes a few of them (``forecast`` reads
    a history as it comes: its columns and time format, no frequency or gap filling).

    Why a decorator: Typer reads a command's options from its signature, so each of the six
    commands that read data declared the same parameters with the same defaults and passed them
    to :func:`reader_options` — copies free to drift apart (a default changed in one command
    only). The options keep the place of ``load_kwargs`` in the command's signature, and so in
    its ``--help``.
    """
    chosen = [
        entry
        for entry in _READER_PARAMETERS
        if (coords or entry[0] != "coords") and (only is None or entry[0] in only)
    ]

    def decorate(command: _Command) -> _Command:
        signature = inspect.signature(command, eval_str=True)
        params = list(signature.parameters.values())
        at = [p.name for p in params].index("load_kwargs")  # a ValueError at import: a misuse
        options = [
            inspect.Parameter(name, params[at].kind, default=default, annotation=annotation)
            for name, annotation, default in chosen
        ]

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name, default) for name, _, default in chosen}
            return command(*args, load_kwargs=reader_options(**given), **kwargs)

        shown = signature.replace(parameters=[*params[:at], *options, *params[at + 1 :]])
        run.__signature__ = shown  # type: ignore[attr-defined]  # what Typer reads the options from
        run.__annotations__ = {p.name: p.annotation for p in shown.parameters.values()}
        return run  # type: ignore[return-value]

    return decorate


def data_source(
    positional: str | None,
    option: str | None,
    command: str,
    *,
    option_name: str = "--dataset",
    what: str = "data",
    hint: str = "a catalogue name (see `tsforge datasets`) or a CSV/Parquet file",
) -> str:
    """The one data source of a command call, from its positional argument or its option
    (``DATA`` / ``--dataset``; ``forecast``: ``HISTORY`` / ``--input``). ``hint`` says what the
    argument may be, in the error when neither is given.

    Raises:
        ConfigError: neither given, or both given with different values.
    """
    field = option_name.lstrip("-")
    if positional and option and positional != option:
        raise ConfigError(
            f"two {what} sources given ({positional!r} and {option_name} {option!r}); give one", field=field
        )
    source = positional or option
    if not source:
        raise ConfigError(f"no {what} given: `tsforge {command} {what.upper()}`, where {what.upper()} is {hint}",
                          field=field)  # fmt: skip
    return source


def comma_items(values: Sequence[str] | None) -> list[str]:
    """The items of a repeatable option that also takes comma-separated lists, stripped, empty
    ones dropped: ``["a,b", " c"]`` → ``["a", "b", "c"]``."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def number_items(values: Sequence[str] | None, flag: str) -> list[float] | None:
    """The numbers of a repeatable option that also takes comma-separated lists (``--level``,
    ``--quantiles``): ``["80,95", "99"]`` → ``[80.0, 95.0, 99.0]``; ``None`` when none is given.

    Why one rule: ``--quantiles 0.1,0.5,0.9`` took a list and ``--level 80,95`` was refused as
    "Input should be a valid number", so the form one option's help shows failed on its twin.
    An item that is not a number is refused naming the flag and the item.
    """
    out = []
    for part in comma_items(values):
        try:
            out.append(float(part))
        except ValueError:
            raise ConfigError(f"{flag} takes numbers, got {part!r}", field=flag.lstrip("-")) from None
    return out or None


def reader_options(
    id_col: str = "unique_id",
    time_col: str | None = None,
    target_col: str = "y",
    freq: str | None = None,
    fill_gaps: bool = False,
    coords: str | None = None,
    *,
    value_cols: str | None = None,
    time_format: str | None = None,
) -> dict[str, Any]:
    """How a command reads its data — long-format column names, time format, frequency, gap
    filling — as loader options.

    Passed to the loader whatever the source: it ignores values equal to its defaults and
    refuses a changed one where it cannot apply (``tsforge train etth1 --id-col store`` is an
    error naming ``id_col``), so the one rule of :func:`tsforge.data.load.classify_source`
    decides what is a file — a guess from the file suffix here would drop ``--id-col``
    silently for a catalogue name and misjudge a file without a suffix.

    Raises:
        ConfigError: a ``time_format`` with no ``%`` directive (see :func:`_checked_time_format`).
    """
    return {
        "id_col": id_col,
        "time_col": time_col,
        "target_col": target_col,
        "freq": freq,
        "fill_gaps": fill_gaps,
        "time_format": _checked_time_format(time_format),
        **({"coords": coords} if coords is not None else {}),  # only multichannel reads take it
        # a wide file's series columns (None: every column but the time column)
        **({"value_cols": comma_items([value_cols])} if value_cols else {}),
    }


def _checked_time_format(time_format: str | None) -> str | None:
    """``--time-format`` as given, refused up front when it has no ``%`` directive
    (:func:`tsforge.data.history.check_time_format`, the check ``time_format=`` gets in Python).

    Why: ``--time-format dd/mm/yyyy`` (the spreadsheet spelling) matches no date at all, and
    reading a large file only to report its first row unparsable would hide what is wrong: the
    format, not the file.
    """
    if time_format is not None:
        from tsforge.data.history import check_time_format

        check_time_format(time_format)
    return time_format


_READER_DEFAULTS: dict[str, Any] = reader_options("unique_id", None, "y")


#: the reader option that leaves out series with fewer than two observed values: set by the
#: command (cv always, others with --drop-short), never a flag of its own
_DROP_TOO_FEW = "drop_too_few"

#: the way round the refusal of such a series names on a command that takes --drop-short
DROP_SHORT_WAY = "pass --drop-short to leave {it} out"


def too_few_left_out(load_kwargs: dict[str, Any], leave_out: bool = True) -> dict[str, Any]:
    """``load_kwargs`` that leave out a table's series with fewer than two observed values
    (with a note naming them) when ``leave_out``, else ``load_kwargs`` as given.

    Why: a new product with its first sale refused the whole file on every command; the reader
    can leave it out (:func:`tsforge.data.load.load_panel`'s ``drop_too_few``), and the command
    says when: ``cv`` always (its protocol skips a series too short for a window anyway),
    ``train`` / ``recommend`` / ``evaluate`` with ``--drop-short``."""
    return {**load_kwargs, _DROP_TOO_FEW: True} if leave_out else load_kwargs


def reader_flags(options: dict[str, Any]) -> str:
    """The reader options that differ from the defaults, as command-line flags.

    Why: a "next: tsforge …" hint printed for a file read with ``--id-col store`` (or
    ``--fill-gaps``) must carry that option, or the command the user copies fails on the same
    file.
    """
    flags = []
    for key, value in options.items():
        if value is None or value == _READER_DEFAULTS.get(key) or key == _DROP_TOO_FEW:
            continue  # drop_too_few: the command's own choice (--drop-short), not a reader flag
        flag = f"--{key.replace('_', '-')}"
        if isinstance(value, (list, tuple)):
            value = ",".join(map(str, value))
        # quoted for the shell: `--id-col Store ID` would pass `Store` and a stray `ID`
        flags.append(f" {flag}" if value is True else f" {flag} {shell_word(str(value))}")
    return "".join(flags)


def training_options(items: list[str] | None, **given: Any) -> dict[str, Any]:
    """The training configuration of ``train``/``tune``: the options they name (``given``; None =
    not set) and the ``--train-option key=value`` items, checked against ``TrainConfig`` so that a
    mistyped key or a value of the wrong type is refused before any data is read or run started."""
    from tsforge.training.config import TrainConfig

    config = {k: v for k, v in {**given, **key_value_options(items, "train")}.items() if v is not None}
    TrainConfig.from_dict(config)
    return config


_OPTION_FLAGS = {"model": ("--option", "kernel_size=49"), "train": ("--train-option", "lr=0.005")}


def key_value_options(items: list[str] | None, what: str) -> dict[str, Any]:
    """``["d_model=64", "dropout=0.1"]`` → ``{"d_model": 64, "dropout": 0.1}`` (JSON values where possible).

    ``what`` is ``"model"`` (``--option``) or ``"train"`` (``--train-option``): a malformed item is
    refused naming the flag it came through, and one that looks like a file name says that ``-o``
    is ``--option`` in ``train`` and ``tune`` (it is ``--output`` in ``cv`` and ``forecast``: ``train
    my.csv -o model.csv`` was answered "model option 'model.csv' must look like key=value").
    """
    out: dict[str, Any] = {}
    flag, example = _OPTION_FLAGS.get(what, (f"--{what}-option", "key=value"))
    for item in items or []:
        if "=" not in item:
            hint = ""
            if what == "model" and looks_like_file(item, ".tsf"):  # a data file counts too
                hint = (
                    "; -o is short for --option in train and tune, which write no file (the run and "
                    "the model go to MLflow; cv and forecast write theirs with -o/--output)"
                )
            raise ConfigError(
                f"{flag} {item!r} must look like key=value (e.g. {flag} {example}){hint}",
                field=flag.lstrip("-").replace("-", "_"),
            )
        key, raw = item.split("=", 1)
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out
