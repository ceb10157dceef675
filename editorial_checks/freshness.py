"""How fresh each organ's columns are, by the inspection rules of the 政府网站与政务新媒体检查
指标: a site whose home page has had nothing new for two weeks, whose 通知公告 or 政策文件 have
had nothing for six months, or that has an empty column, is marked down (or fails outright).

A column (专栏) here is a group of genres; the whole organ's output stands for its home page.
One query reads the last publication and the count per organ and genre; the columns are
summed from those rows."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils import timezone

from notices import access
from notices.models import Genre, Notice, Organ
from notices.models.classification import TOPIC_PATH_SEPARATOR
from portal.models import StatutoryColumn

HOME_PAGE = "首页动态"


@dataclass(frozen=True)
class Column:
    name: str
    genres: tuple[str, ...]  # genre codes; empty: every genre
    max_age_days: int | None  # older than this is stale; None: only an empty column is warned
    stale_message: str = ""


COLUMNS = [
    Column(HOME_PAGE, (), 14, "超过2周未更新"),
    Column(
        "通知公告",
        ("notice", "announcement", "publicnotice", "circular", "bulletin"),
        183,
        "超过6个月未更新",
    ),
    Column(
        "政策文件",
        (
            "order",
            "rules",
            "decision",
            "command",
            "opinion",
            "provisions",
            "measures",
            "plan",
            "programme",
        ),
        183,
        "超过6个月未更新",
    ),
    Column("政策解读", ("interpretation",), None),
]


@dataclass
class Cell:
    column: Column
    last: datetime.datetime | None = None
    count: int = 0
    warning: str = ""


@dataclass
class OrganFreshness:
    organ: Organ
    cells: list[Cell]
    genres: list[tuple[str, datetime.datetime, int]] = field(default_factory=list)
    topics: list[tuple[str, datetime.datetime, int]] = field(default_factory=list)
    # The organ's 专栏 columns of notices (portal.StatutoryColumn) with nothing in them.
    empty_columns: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.warning]


def freshness(user, now: datetime.datetime | None = None) -> list[OrganFreshness]:
    """For every organ the user works for: each column's last update and its warning, the last
    update per genre and per topic, and its 专栏 columns with nothing in them (at most eight
    queries, whatever the number of organs and columns)."""
    now = now or timezone.now()
    organs = list(access.scope_to_user(Organ.objects.all(), user, organ_field="pk"))
    published = access.scope_to_user(Notice.objects.published(now), user)
    rows = (
        published.values_list("organ_id", "genre_id")
        .annotate(last=Max("published_at"), count=Count("pk"))
        .order_by()
    )
    by_organ: dict[int, list[tuple[str, datetime.datetime, int]]] = {}
    for organ_id, genre, last, count in rows:
        by_organ.setdefault(organ_id, []).append((genre, last, count))
    topic_rows = (
        published.filter(topics__isnull=False)
        .values_list("organ_id", "topics__path")
        .annotate(last=Max("published_at"), count=Count("pk"))
        .order_by("organ_id", "topics__path")
    )
    topics: dict[int, list[tuple[str, datetime.datetime, int]]] = {}
    for organ_id, path, last, count in topic_rows:
        topics.setdefault(organ_id, []).append((path, last, count))
    statutory = statutory_columns()
    held: dict[int, set] = {organ.pk: set() for organ in organs}
    if statutory:
        pairs = published.values_list("organ_id", "genre_id", "topics__path").distinct()
        for organ_id, genre, path in pairs:
            held.setdefault(organ_id, set()).add((genre, path))
    labels = Genre.objects.labels()
    found = []
    for organ in organs:
        genres = by_organ.get(organ.pk, [])
        cells = [cell_of(column, genres, now) for column in COLUMNS]
        named = sorted(
            ((labels.get(genre, genre), last, count) for genre, last, count in genres),
            key=lambda row: row[1],
            reverse=True,
        )
        row = OrganFreshness(organ, cells, named, topics.get(organ.pk, []))
        row.empty_columns = [
            column.name
            for column in statutory
            if column.organ_id in (None, organ.pk) and not column_filled(column, held[organ.pk])
        ]
        found.append(row)
    return found


def statutory_columns() -> list:
    """The 专栏's columns that list notices and say which (three queries)."""
    columns = StatutoryColumn.objects.filter(kind=StatutoryColumn.Kind.NOTICES)
    return [
        column
        for column in columns.prefetch_related("topics", "genres")
        if column.topics.all() or column.genres.all()
    ]


def column_filled(column, held: set[tuple[str, str | None]]) -> bool:
    """Whether any of the organ's public notices, as (genre, topic path) pairs, is one the
    column lists: of its genres, and of its topics or a topic below them (as the 专栏's pages
    select them, portal.views.column_notices)."""
    genres = {genre.code for genre in column.genres.all()}
    paths = [topic.path for topic in column.topics.all()]
    for genre, path in held:
        if genres and genre not in genres:
            continue
        if not paths or (
            path is not None
            and any(path == top or path.startswith(top + TOPIC_PATH_SEPARATOR) for top in paths)
        ):
            return True
    return False


def cell_of(column: Column, genres: list, now: datetime.datetime) -> Cell:
    cell = Cell(column)
    for genre, last, count in genres:
        if column.genres and genre not in column.genres:
            continue
        cell.count += count
        cell.last = last if cell.last is None else max(cell.last, last)
    if cell.count == 0:
        cell.warning = "空白栏目"
    elif column.max_age_days is not None and now - cell.last > datetime.timedelta(
        days=column.max_age_days
    ):
        cell.warning = column.stale_message
    return cell
