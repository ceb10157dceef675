"""The 规范性文件库 of an organ: its public 规章 and 行政规范性文件 by 有效性 (in force, amended,
repealed, lapsed), with counts by 文件类别 — what 国办发〔2018〕37号 asks each organ to keep
public and up to date. Two queries: the organ, and its documents (the partial index
notice_public_documents holds exactly these rows)."""

from dataclasses import dataclass, field

from django.shortcuts import get_object_or_404, render

from notices.models import Notice, Organ

CATEGORIES = [Notice.Category.RULES, Notice.Category.NORMATIVE]
# The sections of the page, in order: each a 有效性 and its heading.
SECTIONS = [
    (Notice.Validity.VALID, "现行有效"),
    (Notice.Validity.AMENDED, "已修改"),
    (Notice.Validity.REPEALED, "已废止"),
    (Notice.Validity.EXPIRED, "已失效"),
]
LISTED_FIELDS = [
    "id",
    "organ_id",
    "title",
    "document_number",
    "document_category",
    "published_at",
    "validity",
    "validity_changed_on",
    "superseded_by_id",
    "superseded_by_title",
]


@dataclass
class Section:
    validity: str
    heading: str
    documents: list = field(default_factory=list)


def documents_of(organ: Organ) -> list[Notice]:
    return list(
        Notice.objects.published()
        .filter(organ=organ, document_category__in=CATEGORIES)
        .only(*LISTED_FIELDS)
        .order_by("-published_at", "-id")
    )


def organ_documents(request, pk: int):
    organ = get_object_or_404(Organ, pk=pk)
    sections = {validity: Section(validity, heading) for validity, heading in SECTIONS}
    counts = {category: dict.fromkeys(sections, 0) for category in CATEGORIES}
    for document in documents_of(organ):
        sections[document.validity].documents.append(document)
        counts[document.document_category][document.validity] += 1
    labels = dict(Notice.Category.choices)
    count_rows = [
        {
            "label": labels[category],
            "cells": [(heading, counts[category][validity]) for validity, heading in SECTIONS],
            "total": sum(counts[category].values()),
        }
        for category in CATEGORIES
    ]
    context = {
        "organ": organ,
        "sections": list(sections.values()),
        "count_rows": count_rows,
        "totals": [(section.heading, len(section.documents)) for section in sections.values()],
        "total": sum(len(section.documents) for section in sections.values()),
    }
    return render(request, "notices/organ_documents.html", context)
