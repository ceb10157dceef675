#!/usr/bin/env python
"""The portal's part of the benchmark corpus, added to what bench/corpus.py made.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_suite python bench/portal_corpus.py

bench/corpus.py writes notices, organs and topics. This adds what the portal's other pages show:
published assessments with hundreds of units (two groups, an indicator tree with bonus,
deduction and veto items, every score, findings, requirements and rectification reports), and
attachments (metadata only: no file is written) and citations on a few notices in a hundred.
Rows are written with bulk inserts, like corpus.py: no signals, no audit history (the search's
entries of the assessments are written at the end). It runs once: assessments titled 基准考核
mark a database that has them.
"""

import argparse
import datetime
import os
import random
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TITLE = "基准考核"
LEAVES_PER_BRANCH = 5
BRANCHES = ["公开制度", "主动公开", "依申请公开", "平台建设", "监督保障"]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def make_assessment(rng: random.Random, year: int, organs: list) -> None:
    from django.utils import timezone

    from assessments.models import (
        DEFAULT_GRADE_BANDS,
        AssessedUnit,
        Assessment,
        Finding,
        GradeBand,
        Indicator,
        RectificationReport,
        Requirement,
        Score,
        UnitGroup,
    )

    assessment = Assessment.objects.create(
        organ=organs[0],
        year=year,
        title=f"{TITLE}（{year}年度政务公开工作）",
        summary="全省各地各部门政务公开工作总体情况良好。",
        status=Assessment.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    GradeBand.objects.bulk_create(
        GradeBand(assessment=assessment, name=name, min_total=threshold)
        for name, threshold in DEFAULT_GRADE_BANDS
    )
    groups = UnitGroup.objects.bulk_create(
        [
            UnitGroup(assessment=assessment, name="市州人民政府", position=0),
            UnitGroup(assessment=assessment, name="省政府有关部门", position=1),
        ]
    )
    split = len(organs) // 3
    units = AssessedUnit.objects.bulk_create(
        AssessedUnit(
            assessment=assessment,
            group=groups[0] if i < split else groups[1],
            organ=organ,
            position=i,
        )
        for i, organ in enumerate(organs)
    )
    branches = Indicator.objects.bulk_create(
        Indicator(assessment=assessment, code=f"A{b + 1}", name=name, points=20, position=b)
        for b, name in enumerate(BRANCHES)
    )
    leaves = Indicator.objects.bulk_create(
        [
            Indicator(
                assessment=assessment,
                parent=branch,
                code=f"{branch.code}.{i + 1}",
                name=f"{branch.name}第{i + 1}项",
                points=Decimal(20) / LEAVES_PER_BRANCH,
                position=i,
            )
            for branch in branches
            for i in range(LEAVES_PER_BRANCH)
        ]
        + [
            Indicator(assessment=assessment, code="B1", name="创新做法", kind="bonus", points=5),
            Indicator(
                assessment=assessment, code="C1", name="通报批评", kind="deduction", points=5
            ),
            Indicator(assessment=assessment, code="D1", name="重大失误", kind="veto", points=0),
        ]
    )
    scores = []
    for unit in units:
        for leaf in leaves:
            if leaf.kind == "normal":
                value = Decimal(rng.randint(int(leaf.points * 50), int(leaf.points * 100))) / 100
            elif leaf.kind == "veto":
                value = Decimal(int(rng.random() < 0.01))
            else:
                value = Decimal(rng.randint(0, 3))
            scores.append(Score(unit=unit, indicator=leaf, value=value))
    Score.objects.bulk_create(scores, batch_size=2000)
    problems = Finding.objects.bulk_create(
        Finding(
            assessment=assessment,
            kind=kind,
            position=i,
            title=f"{'问题' if kind == 'problem' else '特点'}{i + 1}",
            text="部分单位政策解读不够及时，回应关切不够主动。",
        )
        for kind in ("highlight", "problem")
        for i in range(5)
    )[5:]
    requirements = Requirement.objects.bulk_create(
        Requirement(
            assessment=assessment,
            position=i,
            title=f"整改要求{i + 1}",
            text="对照问题清单逐项整改，按期报送整改情况。",
            deadline=datetime.date(year + 1, 6, 30),
        )
        for i in range(5)
    )
    for problem, requirement in zip(problems, requirements, strict=True):
        problem.units.set(rng.sample(units, 20))
        requirement.problems.set([problem])
    RectificationReport.objects.bulk_create(
        RectificationReport(
            requirement=requirement,
            unit=unit,
            progress=rng.choice(["in_progress", "done"]),
            text="已完成整改，建立长效机制。",
            verification=rng.choice(["pending", "accepted"]),
        )
        for requirement in requirements
        for unit in units
        if rng.random() < 0.5
    )


def add_attachments_and_citations(rng: random.Random, share: float) -> int:
    from notices.models import Attachment, CitedDocument, Notice

    ids = list(Notice.objects.published().values_list("pk", flat=True))
    chosen = rng.sample(ids, int(len(ids) * share))
    Attachment.objects.bulk_create(
        (
            Attachment(
                notice_id=pk,
                position=i,
                title=f"附件{i + 1}",
                file=f"attachments/bench/{pk}-{i}.pdf",
                original_name=f"附件{i + 1}.pdf",
                content_type="application/pdf",
                size=rng.randint(20_000, 2_000_000),
                sha256="0" * 64,
            )
            for pk in chosen
            for i in range(rng.randint(1, 3))
        ),
        batch_size=2000,
    )
    CitedDocument.objects.bulk_create(
        (
            CitedDocument(notice_id=pk, position=0, target_id=rng.choice(ids))
            for pk in chosen
            if rng.random() < 0.5
        ),
        batch_size=2000,
    )
    return len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assessments", type=int, default=3)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--attachment-share", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup_django()
    from django.db import transaction

    from assessments.models import Assessment
    from notices.models import Organ
    from search import kinds

    if Assessment.objects.filter(title__startswith=TITLE).exists():
        print("The portal corpus is there already.")
        return
    rng = random.Random(args.seed)
    organs = list(Organ.objects.order_by("pk")[: args.units])
    with transaction.atomic():
        for year in range(2024 - args.assessments + 1, 2025):
            make_assessment(rng, year, organs)
        notices = add_attachments_and_citations(rng, args.attachment_share)
        # Written without signals: the search indexes their pages (findings, units) here.
        kinds.rebuild()
    print(
        f"Added {args.assessments} assessments of {len(organs)} units and attachments and "
        f"citations on {notices} notices."
    )


if __name__ == "__main__":
    main()
