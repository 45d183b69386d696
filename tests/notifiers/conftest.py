"""Fixtures for the notifiers tests; their implementations live in notifiers_testkit."""

from notifiers_testkit import (
    fake_api,
    slack_api,
    smtp_auth_server,
    smtp_server,
    telegram_api,
)

__all__ = ["fake_api", "slack_api", "smtp_auth_server", "smtp_server", "telegram_api"]
