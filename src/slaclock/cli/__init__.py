"""Typer command-line interface; thin wrappers over the other layers."""
