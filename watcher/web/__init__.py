"""The diff feed: a server-rendered web app, Atom feeds and a JSON API over the change history.

Reads storage through repository methods only; writes (trigger a check, retry failed
deliveries) need the token of $WATCHER_WEB_TOKEN. Entry point: `create_app(WebContext(...))`.
"""

from watcher.web.app import create_app
from watcher.web.context import Runtime, TargetSettings, WebContext

__all__ = ["Runtime", "TargetSettings", "WebContext", "create_app"]
