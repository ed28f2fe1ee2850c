"""What every command module shares: the guarded command decorator and access to the Env.

`guarded` is the one place where gmctl errors become a message on stderr and an exit code, so
no command ends in a traceback unless --debug (and never with local variables).
"""

from __future__ import annotations

import functools
import sys
import traceback
from typing import Any, Callable, TypeVar

import typer

from gmctl import output
from gmctl.cli.params import check_arguments
from gmctl.context import Env
from gmctl.errors import FAILURE, INTERRUPTED, GmctlError

F = TypeVar("F", bound=Callable[..., Any])


def new_group(help: str) -> typer.Typer:
    """A command group. The callback keeps single-command groups from collapsing into a command."""
    group = typer.Typer(help=help, no_args_is_help=True, pretty_exceptions_enable=False,
                        rich_markup_mode=None, add_completion=False)

    @group.callback()
    def _group() -> None:
        pass

    _group.__doc__ = help
    return group


def env_of(ctx: typer.Context) -> Env:
    root = ctx.find_root()
    if not isinstance(root.obj, Env):
        root.obj = Env()
    return root.obj


def guarded(func: F, *, replica: bool = False) -> F:
    """Run a command; turn gmctl and database errors into one clear message and the documented code.

    replica=True: the command only reads, so its queries may go to the read replica (Env.reads_from_replica).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = kwargs.get("ctx")
        env = env_of(ctx) if ctx is not None else Env()
        if replica:
            env.reads_from_replica = True
        try:
            if ctx is not None:
                check_arguments(kwargs, _spelled(ctx))
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except GmctlError as exc:
            _report(env, exc)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            # The reader went away (`gmctl requests export | head`): stop quietly, as Unix tools do.
            _silence_stdout()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            output.error(env, "interrupted; nothing was changed by the unfinished step")
            raise typer.Exit(INTERRUPTED) from None
        except Exception as exc:  # the last line of defence: no traceback for a person
            translated = _translate(exc, env)
            if translated is not None:
                _report(env, translated, cause=exc)
                raise typer.Exit(translated.exit_code) from None
            if env.debugging:
                traceback.print_exception(exc, file=env.stderr)
            output.error(env, f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                         hint=None if env.debugging else "run again with --debug for the traceback")
            raise typer.Exit(FAILURE) from None
        finally:
            env.close()
            if replica:
                env.reads_from_replica = False

    wrapper.__gmctl_guarded__ = True  # type: ignore[attr-defined]
    wrapper.__gmctl_replica__ = replica  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _spelled(ctx: typer.Context) -> dict[str, str]:
    """Each parameter's name as the person typed it: `--search` for options, `USER` for arguments."""
    names: dict[str, str] = {}
    for param in getattr(ctx.command, "params", ()):
        opts = [o for o in param.opts if o.startswith("--")] or list(param.opts)
        names[param.name] = opts[0] if getattr(param, "param_type_name", "") == "option" and opts else \
            param.human_readable_name
    return names


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail on the closed pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file descriptor (tests capture stdout): nothing will flush to the pipe


def _report(env: Env, exc: GmctlError, cause: BaseException | None = None) -> None:
    if env.debugging:
        traceback.print_exception(cause or exc, file=env.stderr)
    output.error(env, exc.message, exc.hint)


def _translate(exc: BaseException, env: Env) -> GmctlError | None:
    refused = output.refused_write(exc)  # stdout on a full disk, /dev/full: gmctl/output_write.py
    if refused is not None:
        return refused
    if isinstance(exc, OSError) and exc.filename is not None:
        # A path the person gave (--dir, a file to read or write) that the system refused.
        return GmctlError(
            f"{exc.strerror or 'cannot use it'}: {exc.filename}",
            hint="check that the path is right and that gmctl may read or write there",
        )
    if "sqlalchemy" not in sys.modules:
        return None
    from gmctl.db.engine import translate_database_error

    display = "(unknown)"
    if env.engine is not None:
        display = env.engine.info.get("display_url", display)  # type: ignore[attr-defined]
    return translate_database_error(exc, display)


def command(app: typer.Typer, name: str | None = None, *, replica: bool = False,
            **kwargs: Any) -> Callable[[F], F]:
    """Register a guarded command on a group.

    replica=True marks a command that only reads: with a read replica configured (--read-url,
    GMCTL_READ_DATABASE_URL, profile read_url) its queries go there; --primary keeps them here.
    A command that reads only sometimes (reconcile without --apply) sets env.reads_from_replica itself
    before its first query instead.
    """

    def decorate(func: F) -> F:
        app.command(name, **kwargs)(guarded(func, replica=replica))
        return func

    return decorate
