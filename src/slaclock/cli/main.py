"""The ``slaclock`` command: one Typer app; each command group lives in its own module.

Every module below exposes ``register(app)``. Errors from the core
(:class:`slaclock.core.errors.SlaclockError`) are printed and exit with code 2.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="slaclock",
    help="slaclock — SLA clocks for support teams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """slaclock — SLA clocks for support teams."""


@app.command()
def version() -> None:
    """Print the slaclock version."""
    from slaclock import __version__

    typer.echo(__version__)


def _register_all() -> None:
    # Each line adds one command group; keep them in layer order.
    __import__("slaclock.cli.calendar_cmd", fromlist=["register"]).register(app)
    __import__("slaclock.cli.replay_cmd", fromlist=["register"]).register(app)
    __import__("slaclock.cli.explain_cmd", fromlist=["register"]).register(app)
    __import__("slaclock.cli.config_cmd", fromlist=["register"]).register(app)
    __import__("slaclock.cli.service_cmd", fromlist=["register"]).register(app)
    __import__("slaclock.cli.generate_cmd", fromlist=["register"]).register(app)
    __import__("slaclock.cli.import_cmd", fromlist=["register"]).register(app)
    __import__("slaclock.cli.parity_cmd", fromlist=["register"]).register(app)
    __import__("slaclock.cli.report_cmd", fromlist=["register"]).register(app)
    __import__("slaclock.cli.whatif_cmd", fromlist=["register"]).register(app)
    __import__("slaclock.cli.ticket_cmd", fromlist=["register"]).register(app)
    pass


_register_all()
