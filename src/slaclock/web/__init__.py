"""slaclock.web: the dashboard for support leads and agents, beside the API.

``create_site(services, now, environ=...)`` is the API app plus the pages; see
docs/dashboard.md.
"""

from slaclock.web.site import create_site

__all__ = ["create_site"]
