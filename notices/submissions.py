"""One-time tokens for add forms: a form sent twice (a double click, a resent request, a retry
after a timeout) creates its object once, and the second sending is answered with the first's.

The add form carries a token (TokenField). ``once`` claims it in a transaction around the view:
the first sending inserts the token's row; a second sending at the same time waits on that row
until the first commits and then finds it taken, as does any later one (AlreadySubmitted). If
the first sending created nothing (its form had errors), its claim is rolled back, so the
corrected form can be sent with the same token.
"""

import datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from notices.models import FormSubmission

FIELD = "submission_token"
KEPT_FOR = datetime.timedelta(days=1)


class AlreadySubmitted(Exception):
    """The form's token was used before; ``created`` is what that sending created."""

    def __init__(self, created: models.Model | None):
        super().__init__("该表单已经提交过。")
        self.created = created


class TokenField(forms.UUIDField):
    """The hidden token of an add form: a new one each time the empty form is shown."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("label", "表单标识")
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)


def posted_token(request) -> uuid.UUID | None:
    if request.method != "POST":
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


@contextmanager
def once(request) -> Iterator[None]:
    """Run the body (an add view) once per posted token; raise AlreadySubmitted otherwise."""
    token = posted_token(request)
    if token is None:
        yield
        return
    with transaction.atomic():
        claim(token, request.user)
        yield
        # A sending that created nothing gives its token back, so that the form, corrected,
        # can be sent again; what it kept for the next sending (staged attachments) stays.
        FormSubmission.objects.filter(token=token, object_id__isnull=True).delete()


def claim(token: uuid.UUID, user) -> FormSubmission:
    FormSubmission.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(token=token, user=user)
    except IntegrityError:
        earlier = FormSubmission.objects.filter(token=token, user=user).first()
        raise AlreadySubmitted(earlier and created_by(earlier)) from None


def record(token: uuid.UUID | None, user, created: models.Model) -> None:
    """Note what the sending with this token created (inside ``once``)."""
    if token is None:
        return
    FormSubmission.objects.filter(token=token, user=user).update(
        content_type=ContentType.objects.get_for_model(created), object_id=created.pk
    )


def created_by(submission: FormSubmission) -> models.Model | None:
    if submission.content_type is None:
        return None
    model = submission.content_type.model_class()
    return model._default_manager.filter(pk=submission.object_id).first()
