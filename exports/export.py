"""One export: what was asked (Selection), who may ask (can_export), and the ZIP it streams,
ending with manifest.json and recorded in the audit history (Export)."""

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from assessments.models import Assessment
from audit import chain, checkpoints, context, keys
from audit.signals import record_access
from exports import datasets
from exports.columns import local_iso
from exports.datasets import DATASETS, FILTERS
from exports.tables import (
    FETCH_CHUNK,
    Table,
    assessment_tables,
    history_tables,
    notice_tables,
)
from exports.writers import (
    DEFLATE_LEVEL,
    EXCEL_MAX_CELL_CHARS,
    EXCEL_MAX_ROWS,
    Archive,
    FileReport,
)
from notices import access
from notices.models import Notice, Organ

FORMATS = {"csv": "CSV", "xlsx": "Excel（XLSX）", "json": "JSON"}
# Shortest reason accepted for an export with personal data: a word or two says nothing.
REASON_MIN_CHARS = 5

datasets.register(
    datasets.Dataset(
        "notices",
        "公告",
        lambda selection, user, head: notice_tables(selection, user),
        date_label="发布日期",
        statuses=Notice.Status,
    )
)
datasets.register(
    datasets.Dataset(
        "assessments",
        "考核（成绩、问题与整改）",
        lambda selection, user, head: assessment_tables(selection, user),
        date_label="发布时间",
        statuses=Assessment.Status,
    )
)
datasets.register(
    datasets.Dataset(
        "history",
        "审计记录",
        history_tables,
        filters=frozenset({"since", "until", "year"}),
        date_label="时间",
        notes=(
            "每条记录的哈希 = SHA-256(上一条的哈希 + 换行 + 哈希原文)；"
            "第 1 条的上一条哈希为 64 个 0。封印为平台密钥的 HMAC，由平台核验。",
        ),
    )
)


class ExportError(Exception):
    """What was asked cannot be exported as asked; the messages are for people."""

    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


def can_export(user) -> bool:
    """Auditors and site admins: active staff who see every organ."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and access.sees_all_organs(user)
    )


@dataclass(frozen=True)
class Selection:
    """What to export: a dataset, a format and the filters."""

    dataset: str
    format: str = "csv"
    organ: Organ | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    status: str = ""
    year: int | None = None
    personal_data: bool = False
    reason: str = ""

    @property
    def registered(self) -> datasets.Dataset:
        return datasets.REGISTRY[self.dataset]

    def errors(self) -> list[str]:
        if self.dataset not in DATASETS:
            return [f"没有“{self.dataset}”这类数据，可选：{'、'.join(DATASETS)}。"]
        found = []
        if self.personal_data and not self.registered.personal_data:
            found.append(f"{DATASETS[self.dataset]}不含个人信息，无需勾选导出个人信息。")
        elif self.personal_data and len(self.reason.strip()) < REASON_MIN_CHARS:
            found.append(
                f"导出个人信息须写明理由（至少 {REASON_MIN_CHARS} 个字），理由将记入审计记录。"
            )
        if self.format not in FORMATS:
            found.append(f"不支持“{self.format}”格式，可选：{'、'.join(FORMATS)}。")
        name = DATASETS[self.dataset]
        labels = {"organ": "机构", "since": "起始日期", "until": "截止日期", "status": "状态"}
        labels["year"] = "年度"
        for key in FILTERS:
            if key not in self.registered.filters and getattr(self, key) not in ("", None):
                found.append(f"{name}不能按{labels[key]}筛选。")
        if self.since and self.until and self.since > self.until:
            found.append("起始日期不能晚于截止日期。")
        if self.year is not None and not 1900 <= self.year <= 9998:
            found.append("年度应在 1900 到 9998 之间。")
        statuses = self.registered.statuses
        if self.status and statuses is not None and self.status not in statuses.values:
            options = "、".join(f"{value}（{label}）" for value, label in statuses.choices)
            found.append(f"{name}没有“{self.status}”这个状态，可选：{options}。")
        return found

    def filters(self) -> dict:
        """The filters as the manifest and the history record them."""
        organ = {"code": self.organ.code, "name": self.organ.name} if self.organ else None
        return {
            "organ": organ,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "status": self.status or None,
            "year": self.year,
        }

    def describe(self) -> str:
        parts = []
        if self.organ:
            parts.append(f"机构：{self.organ.name}（{self.organ.code}）")
        if self.since or self.until:
            since = self.since.isoformat() if self.since else "最早"
            until = self.until.isoformat() if self.until else "最新"
            parts.append(f"{self.registered.date_label}：{since} 至 {until}")
        if self.year:
            parts.append(f"年度：{self.year}")
        if self.status:
            parts.append(f"状态：{self.registered.statuses(self.status).label}")
        if self.personal_data:
            parts.append(f"含个人信息（理由：{self.reason.strip()}）")
        return "；".join(parts) or "全部"


class Export:
    """One export: call ``stream()`` and send or save the bytes it yields, in order.

    ``user`` None is the command line. ``request``, when given, supplies the address recorded
    in the history. ``sheet_rows`` is the most rows a worksheet holds, header included.
    ``compress`` deflates the CSV and JSON files. ``use_copy`` lets PostgreSQL write the files it
    can (COPY); False formats every row in Python, as on SQLite. Both write the same bytes.
    """

    def __init__(
        self,
        selection: Selection,
        user=None,
        *,
        request=None,
        sheet_rows: int = EXCEL_MAX_ROWS,
        chunk_size: int = FETCH_CHUNK,
        compress: bool = False,
        use_copy: bool = True,
    ):
        if user is not None and not can_export(user):
            raise PermissionDenied("只有审计人员和管理员可以导出数据。")
        if isinstance(user, SimpleLazyObject):
            # A request's user is a lazy proxy; the history needs the user's own model.
            user = user.__class__._default_manager.get(pk=user.pk)
        errors = selection.errors()
        if errors:
            raise ExportError(errors)
        permission = selection.registered.personal_data_permission
        if selection.personal_data and user is not None and not user.has_perm(permission):
            raise PermissionDenied("您无权导出个人信息。")
        if sheet_rows < 2:
            raise ValueError("sheet_rows must leave room for the header and one row")
        self.selection = selection
        self.user = user
        self.request = request
        self.sheet_rows = sheet_rows
        self.chunk_size = chunk_size
        self.compress_level = DEFLATE_LEVEL if compress else 0
        self.use_copy = use_copy
        self.generated_at = timezone.now()
        # Streaming outlives the request's middleware: the history gets this context back.
        self.audit_context = context.current()
        self.files: list[FileReport] = []
        self.manifest: dict | None = None

    @property
    def filename(self) -> str:
        stamp = timezone.localtime(self.generated_at, timezone.get_default_timezone())
        return f"{self.selection.dataset}-{stamp:%Y%m%d-%H%M%S}.zip"

    def tables(self, head_sequence: int) -> list[Table]:
        return self.selection.registered.tables(self.selection, self.user, head_sequence)

    def stream(self) -> Iterator[bytes]:
        archive = Archive(
            self.selection.format,
            self.generated_at,
            compress_level=self.compress_level,
            chunk_size=self.chunk_size,
            sheet_rows=self.sheet_rows,
            use_copy=self.use_copy,
        )
        try:
            try:
                previous_checkpoint = checkpoints.latest()
            except checkpoints.CheckpointError as error:
                previous_checkpoint = error
            with chain.snapshot():
                head = chain.head()
                checkpoint = self._checkpoint(previous_checkpoint)
                for table in self.tables(head[0]):
                    report = FileReport(f"{table.name}.{self.selection.format}", table)
                    self.files.append(report)
                    yield from archive.write(table, report)
            self.manifest = self._manifest(head, checkpoint)
            text = json.dumps(self.manifest, ensure_ascii=False, indent=2) + "\n"
            manifest_sha256 = archive.write_manifest(text)
            rest = archive.close()
        except BaseException:
            # Cut short (a closed download, an error): what was sent has left all the same.
            self._record(completed=False)
            raise
        self._record(completed=True, manifest_sha256=manifest_sha256)
        yield rest

    def _checkpoint(self, previous: checkpoints.Checkpoint | Exception | None) -> dict:
        """The history's head signed at the export's moment, written to the checkpoint store
        too; or why it was refused (a history that no longer extends the last checkpoint, or a
        last checkpoint that cannot be read)."""
        if isinstance(previous, Exception):
            return {"refused": str(previous)}
        try:
            checkpoint = chain.sign_head(previous)
        except checkpoints.CheckpointError as error:
            return {"refused": str(error)}
        checkpoints.write_quietly(checkpoint)
        return {**checkpoint.as_dict(), "public_key": keys.public_key_base64()}

    def _manifest(self, head: tuple[int, str], checkpoint: dict) -> dict:
        user = self.user
        notes = []
        if self.selection.format == "csv":
            notes.append(
                "CSV 为带 BOM 的 UTF-8；以 = + - @、制表符或回车开头的文本前加了英文单引号，"
                "以免表格软件当作公式执行。"
            )
        if self.selection.format == "xlsx":
            notes.append(f"Excel 单元格最多 {EXCEL_MAX_CELL_CHARS} 个字符，超出部分未写入。")
        dataset = self.selection.registered
        notes.extend(dataset.notes)
        if dataset.personal_data and self.selection.personal_data:
            notes.append(f"本次导出含个人信息（{dataset.personal_data}），应按规定保管，用后销毁。")
        elif dataset.personal_data:
            notes.append(f"本次导出不含个人信息（{dataset.personal_data}）。")
        notes.append(
            "checkpoint 为导出时审计链头的签名检查点（Ed25519）：其签名覆盖除 signature 外"
            "各字段按键排序、无空格的 JSON，可用本站公开的公钥离线核验；"
            "请以从可信渠道取得的公钥核对 public_key。"
        )
        return {
            "dataset": self.selection.dataset,
            "dataset_label": DATASETS[self.selection.dataset],
            "format": self.selection.format,
            "filters": self.selection.filters(),
            "filters_text": self.selection.describe(),
            "personal_data": self.selection.personal_data,
            "personal_data_reason": (
                self.selection.reason.strip() if self.selection.personal_data else None
            ),
            "generated_at": local_iso(self.generated_at),
            "generated_by": (
                {"id": user.pk, "username": user.get_username(), "name": user.get_full_name()}
                if user is not None
                else None
            ),
            "source": self.audit_context.source,
            "time_zone": str(timezone.get_default_timezone()),
            "chain_head": {"sequence": head[0], "hash": head[1]},
            "checkpoint": checkpoint,
            "rows": sum(report.rows for report in self.files),
            "files": [report.manifest() for report in self.files],
            "notes": notes,
        }

    def _record(self, completed: bool, manifest_sha256: str = "") -> None:
        details = {
            "dataset": self.selection.dataset,
            "format": self.selection.format,
            "filters": self.selection.filters(),
            "personal_data": self.selection.personal_data,
            "rows": sum(report.rows for report in self.files),
            "sha256": {report.name: report.sha256 for report in self.files if report.sha256},
        }
        if self.selection.personal_data:
            details["reason"] = self.selection.reason.strip()
        if manifest_sha256:
            details["sha256"]["manifest.json"] = manifest_sha256
        if not completed:
            details["completed"] = False
        acting = self.audit_context
        with context.acting(acting.actor, acting.remote_addr, acting.source):
            record_access("export", self.user, self.request, **details)
