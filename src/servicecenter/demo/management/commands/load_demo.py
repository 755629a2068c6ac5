"""`manage.py load_demo`: load the demo data set (servicecenter.demo) into the current database and print the logins.

The same loader as `servicecenter demo`, without the migrate step. Idempotent.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from servicecenter.core.errors import DomainError
from servicecenter.demo.loader import load_demo
from servicecenter.demo.report import format_result


class Command(BaseCommand):
    help = "加载示例数据并列出示例登录 / load the demo data and list the demo logins (idempotent)"

    def handle(self, *args, **options) -> None:
        try:
            result = load_demo()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(format_result(result))
        if result.failed:
            for step in result.failed:
                self.stderr.write(step.error)
            raise CommandError(f"{len(result.failed)} 个示例步骤失败 / demo step(s) failed")
