"""What the helpdesks' own words mean in slaclock's: statuses, priorities, channels.

One table per helpdesk and field, shared by the importers of their exports
(``slaclock.service.importers``) and the presets of their live webhooks
(:mod:`slaclock.core.webhook_presets`), so a ticket imported and a ticket synced live
read the same. A key with ``*`` or ``?`` is a pattern where the importers take
patterns; everything here is exact.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "FRESHDESK_PRIORITY_NAMES",
    "FRESHDESK_STATUS_NAMES",
    "JIRA_PRIORITIES",
    "JIRA_STATUSES",
    "ZAMMAD_CHANNELS",
    "ZAMMAD_PRIORITIES",
    "ZAMMAD_STATES",
    "ZENDESK_CHANNELS",
    "ZENDESK_PRIORITIES",
    "ZENDESK_STATUSES",
]

ZENDESK_STATUSES: Mapping[str, str] = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "on_hold",
    "solved": "solved",
    "closed": "closed",
}
ZENDESK_PRIORITIES: Mapping[str, str] = {p: p for p in ("low", "normal", "high", "urgent")}
#: ``via``: the export's names, and the API's (and webhooks') channels.
ZENDESK_CHANNELS: Mapping[str, str] = {
    "Mail": "email", "email": "email",
    "Web form": "web", "web": "web", "Web Widget": "web", "web_widget": "web",
    "Help Center": "web", "help_center": "web",
    "Chat": "chat", "chat": "chat", "Messaging": "chat", "native_messaging": "chat",
    "Voice": "phone", "voice": "phone", "Phone call (incoming)": "phone",
    "Web service": "api", "api": "api", "web_service": "api", "Mobile SDK": "api",
    "mobile_sdk": "api",
    "Twitter": "social", "twitter": "social", "Facebook": "social", "facebook": "social",
}  # fmt: skip

#: Jira Service Management's default workflow statuses, and the usual others.
JIRA_STATUSES: Mapping[str, str] = {
    "Open": "open",
    "To Do": "new",
    "Waiting for support": "open",
    "Waiting for customer": "pending",
    "Waiting for approval": "on_hold",
    "Pending": "on_hold",
    "Waiting for third party": "on_hold",
    "In Progress": "open",
    "Work in progress": "open",
    "Escalated": "open",
    "Reopened": "open",
    "Resolved": "solved",
    "Done": "solved",
    "Completed": "solved",
    "Closed": "closed",
    "Canceled": "closed",
    "Cancelled": "closed",
    "Declined": "closed",
}
JIRA_PRIORITIES: Mapping[str, str] = {
    "Highest": "urgent",
    "High": "high",
    "Medium": "normal",
    "Low": "low",
    "Lowest": "low",
}

#: ``pending close`` waits to close by itself: the work is done (``solved``).
ZAMMAD_STATES: Mapping[str, str] = {
    "new": "new",
    "open": "open",
    "pending reminder": "pending",
    "pending close": "solved",
    "closed": "closed",
    "merged": "closed",
}
ZAMMAD_PRIORITIES: Mapping[str, str] = {"1 low": "low", "2 normal": "normal", "3 high": "high"}
ZAMMAD_CHANNELS: Mapping[str, str] = {
    "email": "email", "phone": "phone", "web": "web", "chat": "chat", "sms": "phone",
    "twitter status": "social", "twitter direct-message": "social",
    "facebook feed post": "social", "telegram personal-message": "chat", "note": "web",
}  # fmt: skip

#: Freshdesk's names (its webhooks' placeholders); its API gives codes instead.
FRESHDESK_STATUS_NAMES: Mapping[str, str] = {
    "Open": "open",
    "Pending": "pending",
    "Resolved": "solved",
    "Closed": "closed",
}
FRESHDESK_PRIORITY_NAMES: Mapping[str, str] = {
    "Low": "low",
    "Medium": "normal",
    "High": "high",
    "Urgent": "urgent",
}
