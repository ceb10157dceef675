"""The datasets an export may hold, by key. exports' own (notices, assessments, the audit
history) are registered here; another app registers its own from its ``AppConfig.ready`` with
``register()``, as apps register their models with the audit history, so that exports never
imports it (applications: ``applications/export_dataset.py``)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import TextChoices

from audit import readable

FILTERS = ("organ", "since", "until", "status", "year")


@dataclass(frozen=True)
class Dataset:
    """One dataset: its name, the filters that mean something for it, and its tables.

    ``tables(selection, user, head_sequence)`` returns the Tables to write (exports/tables.py),
    within the organs the user sees. ``date_label`` names the date the range and the year
    apply to. A dataset with ``personal_data`` leaves the columns it names out unless the
    export asks for them with a reason (``Selection.personal_data``), which only a user with
    ``personal_data_permission`` (or the command line) may do; the manifest and the history say
    so.
    """

    key: str
    label: str
    tables: Callable
    filters: frozenset[str] = frozenset(FILTERS)
    date_label: str = ""
    statuses: type[TextChoices] | None = None
    personal_data: str = ""
    personal_data_permission: str = ""
    notes: tuple[str, ...] = field(default=())


REGISTRY: dict[str, Dataset] = {}
# The Chinese name of each dataset, kept with the registry (choices, the command, the history).
DATASETS: dict[str, str] = {}


def register(dataset: Dataset) -> None:
    REGISTRY[dataset.key] = dataset
    DATASETS[dataset.key] = dataset.label
    # The history shows an export's dataset by its Chinese name.
    readable.DATASET_LABELS[dataset.key] = dataset.label


def get(key: str) -> Dataset | None:
    return REGISTRY.get(key)


def offering_personal_data() -> list[Dataset]:
    return [dataset for dataset in REGISTRY.values() if dataset.personal_data]
