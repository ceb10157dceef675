import argparse
import datetime
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit import context
from exports.datasets import DATASETS
from exports.export import FORMATS, Export, ExportError, Selection
from notices.models import Organ

SOURCE = "命令 export_records"


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"日期应写作 YYYY-MM-DD，而不是“{value}”") from error


class Command(BaseCommand):
    help = (
        "Export a dataset (notices, assessments, the audit history, applications) as one ZIP "
        "with manifest.json, as the admin's export page does; recorded in the audit history."
    )

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=list(DATASETS))
        parser.add_argument("--format", choices=list(FORMATS), default="csv")
        parser.add_argument("--organ", help="the organ's code (机构代码)")
        parser.add_argument("--since", type=iso_date, help="first day, YYYY-MM-DD")
        parser.add_argument("--until", type=iso_date, help="last day, YYYY-MM-DD")
        parser.add_argument("--status", default="", help="e.g. published, draft, in_review")
        parser.add_argument("--year", type=int)
        parser.add_argument(
            "--compress",
            action="store_true",
            help="deflate the CSV or JSON files: several times smaller, twice as slow or more",
        )
        parser.add_argument(
            "--personal-data",
            action="store_true",
            help="include personal data (e.g. applicants' names and identity numbers); "
            "needs --reason, which the manifest and the audit history record",
        )
        parser.add_argument("--reason", default="", help="why personal data is exported")
        parser.add_argument(
            "--output", "-o", help="where to write the ZIP (default: its own name, here)"
        )

    def handle(self, *args, dataset, organ, output, compress, **options):
        if organ:
            found = Organ.objects.filter(code=organ).first()
            if found is None:
                raise CommandError(f"没有机构代码为 {organ} 的机构。")
            organ = found
        selection = Selection(
            dataset=dataset,
            format=options["format"],
            organ=organ or None,
            since=options["since"],
            until=options["until"],
            status=options["status"],
            year=options["year"],
            personal_data=options["personal_data"],
            reason=options["reason"],
        )
        with context.acting(source=SOURCE):
            try:
                export = Export(selection, compress=compress)
            except ExportError as error:
                raise CommandError(str(error)) from error
            path = Path(output or export.filename)
            partial = path.with_name(path.name + ".part")
            try:
                with partial.open("wb") as out:
                    for chunk in export.stream():
                        out.write(chunk)
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)

        manifest = export.manifest
        self.stdout.write(self.style.SUCCESS(f"已导出 {manifest['rows']} 行到 {path}"))
        for file in manifest["files"]:
            self.stdout.write(f"  {file['name']:<28} {file['rows']:>9} 行  sha256 {file['sha256']}")
        head = manifest["chain_head"]
        self.stdout.write(f"  审计链头 #{head['sequence']} {head['hash']}")
