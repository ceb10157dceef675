"""The notices app's admin, one module per concern (importing them registers the admins)."""

from notices.admin import filters, notice, records, validity  # noqa: F401 - registers the admins
from notices.admin.common import (
    NOTICE_OUT_OF_SCOPE,
    ScopedChoicesMixin,
    ScopedRawIdWidget,
    already_submitted,
)
from notices.admin.filters import OrganFilter

__all__ = [
    "NOTICE_OUT_OF_SCOPE",
    "OrganFilter",
    "ScopedChoicesMixin",
    "ScopedRawIdWidget",
    "already_submitted",
]
