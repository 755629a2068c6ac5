"""Print the declared policy parameters (policy/catalogue.py): a plain list, or a Markdown table for the docs."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.functional import Promise

from servicecenter.policy.presets import PRESETS
from servicecenter.policy.registry import PARAMETERS


def _cell(text: str | Promise) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


class Command(BaseCommand):
    help = "List every declared policy parameter with its seed default, unit, requirement IDs and presets."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--markdown", action="store_true", help="print a Markdown table (docs/regulations.md)")

    def handle(self, *args, markdown: bool = False, **options) -> None:
        if markdown:
            self.stdout.write("| 参数 key | 名称 | 类型 | 默认值 | 单位 | 需求编号 | 来源 | 中心类型预设 |")
            self.stdout.write("|---|---|---|---|---|---|---|---|")
        for spec in PARAMETERS.values():
            presets = "；".join(
                f"{p.source}: {spec.display(spec.clean(p.values[spec.key]))}"
                for p in PRESETS.values()
                if spec.key in p.values
            )
            default = spec.display(spec.default) if spec.default is not None else "—（须配置）"
            if markdown:
                cells = [
                    f"`{spec.key}`",
                    spec.label,
                    spec.value_type.label,
                    default,
                    spec.unit,
                    ", ".join(spec.requirements),
                    spec.source,
                    presets,
                ]
                self.stdout.write("| " + " | ".join(_cell(c) for c in cells) + " |")
            else:
                self.stdout.write(f"{spec.key}\t{default}\t{', '.join(spec.requirements)}\t{presets}")
