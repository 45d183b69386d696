"""The opt-out flow check: follow a page's objection links and verify the forms still work.

For every target whose page carries an objection or opt-out link, the link is followed in the
same region context and the form page is judged: available with its fields (country, e-mail,
reason), missing some of them, behind a login, or gone. The states are kept as a derived target
(`SOURCE@REGION/opt-out`) so that any change of state becomes an `opt_out_changed` finding with
the before and after states as evidence.
"""

from watcher.optout.form import FormState, FormStatus, inspect_form
from watcher.optout.links import OptOutLink, find_opt_out_links
from watcher.optout.report import OPT_OUT_SUFFIX, opt_out_document, opt_out_findings

__all__ = [
    "OPT_OUT_SUFFIX",
    "FormState",
    "FormStatus",
    "OptOutLink",
    "find_opt_out_links",
    "inspect_form",
    "opt_out_document",
    "opt_out_findings",
]
