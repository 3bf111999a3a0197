"""The configuration loader: YAML/JSON text -> a validated :class:`slaclock.core.model.Config`.

Every problem is collected with its file, line, key path and value and raised together
as one :class:`slaclock.core.errors.ConfigError`; see docs/configuration.md.
"""

from slaclock.core.config.loader import config_from_mapping, load_config, parse_config

__all__ = ["config_from_mapping", "load_config", "parse_config"]
