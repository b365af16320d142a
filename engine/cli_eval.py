"""Commands of the evaluator: eval and compare (filled in by the evaluator work)."""


def register(sub) -> None:
    """Add this module's subcommands to the ``larkspan`` parser."""
