"""The genres (体裁) a new site starts with: the kinds of GB/T 9704 and the 党政机关公文处理工作
条例, and the disclosure catalogue's own kinds. A site admin extends the list (notices.Genre);
codes are what filter URLs and the search index hold, so they never change."""

GENRES = [
    ("order", "令"),
    ("rules", "规章"),
    ("decision", "决定"),
    ("command", "命令"),
    ("bulletin", "公报"),
    ("announcement", "公告"),
    ("publicnotice", "通告"),
    ("opinion", "意见"),
    ("notice", "通知"),
    ("circular", "通报"),
    ("report", "报告"),
    ("request", "请示"),
    ("reply", "批复"),
    ("motion", "议案"),
    ("letter", "函"),
    ("minutes", "纪要"),
    ("provisions", "规定"),
    ("measures", "办法"),
    ("plan", "方案"),
    ("programme", "规划"),
    ("interpretation", "解读"),
    ("annualreport", "年度报告"),
    ("other", "其他"),
]


def seed(Genre) -> int:
    """Create the genres of the list that are missing; how many. ``Genre`` is the model (the
    migration's historical one, or the current one)."""
    known = set(Genre.objects.values_list("code", flat=True))
    missing = [
        Genre(code=code, name=name, position=position * 10)
        for position, (code, name) in enumerate(GENRES, start=1)
        if code not in known
    ]
    Genre.objects.bulk_create(missing)
    return len(missing)


def seed_after_migrate(sender, using="default", **kwargs) -> None:
    """An emptied database (a flush, as between tests) gets the list again, as migrating gave."""
    from notices.models import Genre

    if not Genre.objects.using(using).exists():
        seed(Genre)
