"""C-21: the default list of special groups (双无老人, 残疾人, 老年人); a center edits the list in the admin."""

from django.db import migrations

DEFAULTS = (
    ("shuangwu_elderly", "双无老人", "无子女、无收入来源的老人（D03；认定标准由中心确认）。"),
    ("disabled", "残疾人", "持残疾人证的居民（D18）。"),
    ("elderly", "老年人", "本中心登记的老年居民（D18；年龄标准由中心确认）。"),
)


def add_defaults(apps, schema_editor):
    SpecialGroup = apps.get_model("customers", "SpecialGroup")
    for code, name, definition in DEFAULTS:
        SpecialGroup.objects.get_or_create(code=code, defaults={"name": name, "definition": definition})


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
