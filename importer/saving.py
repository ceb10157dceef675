"""A legacy file → a draft notice (and, for an assessment notice, draft assessment records), in
one transaction per file, through notices.workflow.save_draft and
assessments.workflow.create_assessment. Nothing an import makes is ever published."""

import hashlib
import logging
from pathlib import Path

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import statistics as statistic_checks
from assessments import workflow as assessment_workflow
from assessments.models import (
    Assessment,
    Finding,
    Requirement,
    StatisticReport,
    StatisticSchema,
    StatisticValue,
)
from importer import damage, parsing, reading, rendering, statistics
from importer.models import ImportedSource, ImportFlag
from importer.parsed import FlagKind, NotANotice, ParsedNotice, SectionKind
from importer.report import FileResult, ImportReport, Status, flag_dicts, recognized
from notices import document_numbers, workflow
from notices.models import CitedDocument, Genre, Notice, Organ

logger = logging.getLogger(__name__)
PRE_2019_SCHEMA = "政府信息公开统计（2019年以前）"
IMPORTABLE_SUFFIXES = {".txt", ".htm", ".html", ".shtml", ".docx"}


class Lookups:
    """Rows an import reads for many files and writes for none (the genre of each name, the
    statistics' schema): read once a run, not once a file. Each reads as the query it saves."""

    def __init__(self) -> None:
        self.genres: dict[str, str | None] = {}
        self.schemas: dict[str, StatisticSchema | None] = {}

    def genre_code(self, name: str) -> str | None:
        if name not in self.genres:
            found = Genre.objects.filter(name=name).values_list("code", flat=True)
            self.genres[name] = found.first()
        return self.genres[name]

    def schema(self, name: str) -> StatisticSchema | None:
        if name not in self.schemas:
            self.schemas[name] = StatisticSchema.objects.filter(name=name).first()
        return self.schemas[name]


def import_files(files: list[tuple[str, bytes]], organ: Organ, user) -> ImportReport:
    """Import each (name, bytes) on its own: one bad file does not stop the others."""
    report = ImportReport()
    lookups = Lookups()
    for name, data in files:
        report.files.append(import_file(data, name, organ, user, lookups=lookups))
    return report


def collect_paths(paths: list[Path]) -> list[Path]:
    """Files named, and the files inside folders named (recursively, hidden ones left out)."""
    found = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    child
                    for child in path.rglob("*")
                    if child.is_file()
                    and not any(part.startswith(".") for part in child.relative_to(path).parts)
                )
            )
        else:
            found.append(path)
    return found


def read_and_parse(data: bytes, name: str) -> tuple[reading.Source, ParsedNotice]:
    """The part of an import that touches no database: bytes → text → a parsed notice."""
    source = reading.read(data, name)
    return source, parsing.parse(source.text, source.meta, source.chrome)


def import_file(
    data: bytes,
    name: str,
    organ: Organ,
    user,
    read=read_and_parse,
    lookups: Lookups | None = None,
) -> FileResult:
    """Import one file; ``read`` may run read_and_parse under limits (importer.tasks); an import
    of many files passes the same ``lookups`` for each."""
    result = FileResult(name=name)
    if not workflow.can_create(user, organ.pk):
        result.reason = f"您无权为“{organ.name}”新建信息，未导入。"
        return result
    digest = hashlib.sha256(data).hexdigest()
    existing = ImportedSource.objects.filter(organ=organ, sha256=digest).select_related("notice")
    if existing.exists():
        return _already(result, existing.get())
    try:
        source, parsed = read(data, name)
    except (reading.ReadError, NotANotice) as error:
        result.reason = str(error)
        return result
    result.recognized = recognized(parsed)
    result.chrome = parsed.chrome
    if parsed.document_number:
        clash = Notice.objects.originals().filter(
            organ=organ, document_number=parsed.document_number
        )
        if clash.exists():
            notice = clash.first()
            result.status = Status.SKIPPED
            result.notice_id, result.notice_title = notice.pk, notice.title
            result.reason = (
                f"本机构已有文号为“{parsed.document_number}”的信息（#{notice.pk}），没有重复导入。"
            )
            return result
    try:
        with transaction.atomic():
            save(parsed, source, data, name, digest, organ, user, result, lookups or Lookups())
    except IntegrityError:
        existing = ImportedSource.objects.filter(organ=organ, sha256=digest)
        if existing.exists():
            return _already(result, existing.select_related("notice").get())
        return _failed(result, "保存时与已有信息冲突（文号或考核名称重复）。")
    except PermissionDenied as error:
        return _failed(result, str(error))
    except ValidationError as error:
        return _failed(result, validation_reason(error))
    except Exception as error:
        logger.exception("import of %s failed", name)
        return _failed(result, f"导入时出错（{type(error).__name__}）。")
    return result


def validation_reason(error: ValidationError) -> str:
    """A refusal in plain words, naming each field: “内容不符合要求：标题为空。”."""
    parts = []
    fields = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
    for name, messages in fields:
        try:
            label = str(Notice._meta.get_field(name).verbose_name) if name else ""
        except FieldDoesNotExist:
            label = ""
        for message in messages:
            message = message.strip().rstrip("。.")
            if label and "不能为空" in message:
                parts.append(f"{label}为空")
            else:
                parts.append(f"{label}：{message}" if label else message)
    return "内容不符合要求：" + "；".join(parts) + "。"


def _failed(result: FileResult, reason: str) -> FileResult:
    """Nothing of the file was kept: the transaction rolled back."""
    result.status, result.notice_id, result.assessment_id = Status.FAILED, None, None
    result.notice_title, result.flags = "", []
    result.reason = reason + "本文件未导入任何内容（已全部撤销）。"
    return result


def _fill_result(result: FileResult, parsed: ParsedNotice, notice, assessment) -> None:
    result.status = Status.IMPORTED
    result.notice_id, result.notice_title = notice.pk, notice.title
    result.flags = flag_dicts(parsed)
    if assessment is not None:
        result.assessment_id = assessment.pk
        findings = assessment.findings
        highlights = findings.filter(kind=Finding.Kind.HIGHLIGHT).count()
        problems = findings.filter(kind=Finding.Kind.PROBLEM).count()
        values = StatisticValue.objects.filter(report__assessment=assessment).count()
        result.recognized.append(
            (
                "考核记录",
                f"已建立准备中的考核 #{assessment.pk}：主要特点 {highlights} 项，"
                f"主要问题 {problems} 项，整改要求 {assessment.requirements.count()} 项，"
                f"统计数值 {values} 项",
            )
        )


def _already(result: FileResult, source: ImportedSource) -> FileResult:
    result.status = Status.SKIPPED
    result.notice_id, result.notice_title = source.notice_id, source.notice.title
    when = timezone.localtime(source.imported_at).strftime("%Y-%m-%d %H:%M")
    result.reason = (
        f"这个文件已于 {when} 导入过（草稿 #{source.notice_id}“{source.notice.title}”），"
        "没有重复导入。"
    )
    return result


def _valid_number(number: str) -> bool:
    try:
        document_numbers.validate_document_number(number)
    except ValidationError:
        return False
    return True


def save(
    parsed: ParsedNotice,
    source: reading.Source,
    data: bytes,
    name: str,
    digest: str,
    organ: Organ,
    user,
    result: FileResult,
    lookups: Lookups,
) -> tuple[Notice, Assessment | None]:
    """Write everything of one file, its report (``result``, filled here) with its source; the
    caller holds the transaction."""
    number = parsed.document_number
    if number and not _valid_number(number):
        parsed.flag(FlagKind.CHECK, "文号", f"文号“{number}”格式不正确，未填入，请核对。")
        number = ""
    genre = lookups.genre_code(parsed.genre)
    addressees = "，".join(parsed.addressees)
    if len(addressees) > 500:
        parsed.flag(FlagKind.CHECK, "主送机关", "主送机关过长，已截断，请核对。", raw=addressees)
        addressees = addressees[:500]
    title = parsed.title
    if not title:
        title = Path(name).stem.strip() or "未命名的导入文件"
        parsed.flag(
            FlagKind.MISSING,
            "标题",
            f"文件中没有找到标题，暂以文件名“{title}”作标题，请改为文件的正式标题。",
            suggestion=title,
        )
    if len(title) > 300:
        parsed.flag(FlagKind.CHECK, "标题", "标题过长，已截断，请核对。", raw=title)
        title = title[:300]
    if parsed.published_on:
        parsed.flag(
            FlagKind.CHECK,
            "发布日期",
            f"原网站显示的发布日期是 {parsed.published_on.isoformat()}，可能是转载网站的日期，"
            "未填入；审核发布时将按实际发布时间记录，如需沿用原发布日期请在“发布日期”中填写。",
            suggestion=parsed.published_on.isoformat(),
        )
    if parsed.issuer and parsed.issuer != organ.name:
        parsed.flag(
            FlagKind.CHECK,
            "发文机关",
            f"识别出的发文机关“{parsed.issuer}”与导入到的机构“{organ.name}”不同，请核对。",
        )
    notice = Notice(
        organ=organ,
        title=title,
        document_number=number,
        genre_id=genre or Genre.OTHER,
        addressees=addressees,
        signed_on=parsed.signed_on,
        body=rendering.to_html(parsed),
    )
    notice = workflow.save_draft(notice, user)
    for position, citation in enumerate(parsed.citations, start=1):
        cited_number = citation.document_number if _valid_number(citation.document_number) else ""
        targets = []  # linked only when the 文号 names one notice
        if cited_number:
            targets = list(Notice.objects.originals().filter(document_number=cited_number)[:2])
        cited = CitedDocument(
            notice=notice,
            position=position,
            title=citation.title[:300],
            document_number=cited_number,
            target=targets[0] if len(targets) == 1 else None,
        )
        cited.full_clean()
        cited.save()

    assessment = None
    linked: dict[tuple[str, str], object] = {}
    if parsed.is_assessment:
        assessment, linked = _assessment(parsed, notice, organ, user, lookups)

    _fill_result(result, parsed, notice, assessment)
    imported = ImportedSource.objects.create(
        notice=notice,
        organ=organ,
        filename=Path(name).name[:255],
        kind=source.kind,
        encoding=source.encoding,
        size=len(data),
        sha256=digest,
        raw=data,
        text=source.text,
        source_published_on=parsed.published_on,
        source_view_count=parsed.view_count,
        source_name=parsed.source_name[:200],
        source_issuer=parsed.source_issuer[:200],
        source_signed_on=parsed.source_signed_on,
        attachment_titles=parsed.attachments,
        removed_lines=parsed.removed,
        imported_by=user,
        report=result.as_dict(),
    )
    ImportFlag.objects.bulk_create(
        ImportFlag(
            source=imported,
            position=position,
            kind=flag.kind,
            location=flag.location[:200],
            message=flag.message,
            raw_fragment=flag.raw,
            suggestion=flag.suggestion[:300],
            finding=linked.get((flag.section, flag.item))
            if isinstance(linked.get((flag.section, flag.item)), Finding)
            else None,
            requirement=linked.get((flag.section, flag.item))
            if isinstance(linked.get((flag.section, flag.item)), Requirement)
            else None,
        )
        for position, flag in enumerate(parsed.flags, start=1)
    )
    return notice, assessment


def _assessment(parsed: ParsedNotice, notice: Notice, organ: Organ, user, lookups: Lookups):
    year = parsed.assessment_year or (parsed.signed_on.year if parsed.signed_on else None)
    title = parsed.title[:200]
    if year is None:
        parsed.flag(FlagKind.MISSING, "考核", "未能确定考核年度，未建立考核记录。")
        return None, {}
    clash = Assessment.objects.filter(organ=organ, year=year, title=title).first()
    if clash is not None:
        parsed.flag(
            FlagKind.CHECK,
            "考核",
            f"本机构 {year} 年已有同名考核（#{clash.pk}），未重复建立考核记录。",
        )
        return None, {}
    recognized = any(
        parsed.section_of(kind) is not None and parsed.section_of(kind).items
        for kind in (SectionKind.HIGHLIGHTS, SectionKind.PROBLEMS, SectionKind.RECTIFICATIONS)
    )
    if not recognized and not parsed.statistics:
        # Sections named like findings but without a numbered item: nothing to record.
        return None, {}
    if not user.has_perm("assessments.add_assessment"):
        parsed.flag(FlagKind.CHECK, "考核", "您无权新建考核，只导入了公告草稿。")
        return None, {}
    overall = next(
        (s for s in parsed.sections if not s.kind and s.title and "情况" in s.title), None
    )
    assessment = assessment_workflow.create_assessment(
        user,
        organ=organ,
        year=year,
        title=title,
        notice=notice,
        basis="\n".join(f"《{c.title}》（{c.document_number}）" for c in parsed.citations),
        summary="\n".join(overall.paragraphs) if overall else "",
    )
    linked: dict[tuple[str, str], object] = {}
    kinds = [
        (SectionKind.HIGHLIGHTS, Finding.Kind.HIGHLIGHT),
        (SectionKind.PROBLEMS, Finding.Kind.PROBLEM),
        (SectionKind.RECTIFICATIONS, None),
    ]
    for section_kind, finding_kind in kinds:
        section = parsed.section_of(section_kind)
        if section is None:
            continue
        for index, item in enumerate(section.items, start=1):
            position = damage.cn_to_int(item.number) or index
            heading = (item.title or item.text[:60])[:200] or f"第{index}项"
            fields = {"assessment": assessment, "position": position, "title": heading}
            made = (
                Finding(kind=finding_kind, text=item.text, **fields)
                if finding_kind
                else Requirement(text=item.text, **fields)
            )
            made.full_clean()
            made.save()
            linked[(section.number, item.number)] = made
    if parsed.statistics:
        _statistics(parsed, assessment, lookups)
    assessment_workflow.mark_edited(assessment, user)
    return assessment, linked


def _statistics(parsed: ParsedNotice, assessment: Assessment, lookups: Lookups) -> None:
    schema = lookups.schema(PRE_2019_SCHEMA)
    if schema is None:
        parsed.flag(
            FlagKind.STATISTICS, "统计数据", f"缺少统计口径“{PRE_2019_SCHEMA}”，未导入统计。"
        )
        return
    zeros = statistics.implied_zeros(parsed.statistics)
    note = "从通报正文导入。"
    if zeros:
        names = "、".join(statistics.STATISTIC_NAMES[code] for code in zeros)
        note += f"文中未提及、其余分项已与合计相符的，按 0 计：{names}。"
    report = StatisticReport(assessment=assessment, schema=schema, note=note)
    report.full_clean()
    report.save()
    items = {item.code: item for item in schema.items.all()}
    values = {**parsed.statistics, **dict.fromkeys(zeros, 0)}
    for code, value in values.items():
        if code in items:  # one by one, so that the audit history sees each value
            StatisticValue.objects.create(report=report, item=items[code], value=value)
    known = {flag.message for flag in parsed.flags}
    for failure in statistic_checks.failures([report])[report.pk]:
        if str(failure) not in known:
            parsed.flag(FlagKind.STATISTICS, "统计数据", str(failure))
