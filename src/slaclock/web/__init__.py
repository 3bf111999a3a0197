"""slaclock.web layer (see docs/architecture.md)."""
