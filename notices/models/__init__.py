"""The notices app's models, one module per concern; every name is importable from here."""

from notices.models.classification import (
    TOPIC_PATH_SEPARATOR,
    Genre,
    GenreQuerySet,
    Topic,
    TopicQuerySet,
    genre_labels,
    paths_below,
    topic_path,
)
from notices.models.history import FormSubmission, NoticeVersion, WorkflowEvent
from notices.models.labels import choice_label
from notices.models.notice import (
    DUPLICATE_DOCUMENT_NUMBER,
    INTERPRETATION_GENRE,
    PUBLIC,
    RESTRICTED_NEEDS_REASON,
    WITHDRAWAL_PAGE,
    IndexSequence,
    Notice,
    NoticeQuerySet,
    public_now,
)
from notices.models.organs import Organ, OrganQuerySet
from notices.models.parts import Attachment, CitedDocument, StoredFile, attachment_upload_to
from notices.models.validity import ValidityChange

__all__ = [
    "DUPLICATE_DOCUMENT_NUMBER",
    "INTERPRETATION_GENRE",
    "PUBLIC",
    "RESTRICTED_NEEDS_REASON",
    "TOPIC_PATH_SEPARATOR",
    "WITHDRAWAL_PAGE",
    "Attachment",
    "CitedDocument",
    "FormSubmission",
    "Genre",
    "GenreQuerySet",
    "IndexSequence",
    "Notice",
    "NoticeQuerySet",
    "NoticeVersion",
    "Organ",
    "OrganQuerySet",
    "StoredFile",
    "Topic",
    "TopicQuerySet",
    "ValidityChange",
    "WorkflowEvent",
    "attachment_upload_to",
    "choice_label",
    "genre_labels",
    "paths_below",
    "public_now",
    "topic_path",
]
