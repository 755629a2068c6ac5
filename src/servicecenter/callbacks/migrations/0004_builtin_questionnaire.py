"""The built-in D02 callback questionnaire (C-10): the set every center uses until it publishes its own.

Seeded here so that opening a callback never has to write it; callbacks.services.builtin_questionnaire() still creates
it when a database was flushed. The text is a copy of callbacks.policies' D02 constants at the time of writing."""

from django.db import migrations

D02_OPENING = "您好，我们是{center}，对您家报修的处理情况进行回访。您现在方便吗？"
D02_CLOSING = "感谢您的合作，以后有什么问题，请您随时拨打{hotline}，我们将及时为您服务。"
D02_FEE_REMINDER = "我们的收费工作已经开始，请您方便的时候交纳费用。"
D02_QUESTIONS = [
    {"code": "a", "type": "yes_no", "role": "solved", "label": "问题解决了吗？", "required": True, "clause": "CB-02"},
    {
        "code": "b",
        "type": "choice",
        "role": "attitude",
        "label": "维修工态度如何？",
        "required": True,
        "choices": ["satisfied", "average", "dissatisfied"],
        "clause": "CB-03",
    },
    {"code": "c", "type": "yes_no", "role": "charged", "label": "跟您收费了吗？", "required": True, "clause": "CB-04"},
    {
        "code": "d",
        "type": "score",
        "role": "score",
        "label": "请您为我们的服务打分",
        "required": True,
        "clause": "CB-05",
    },
    {
        "code": "e",
        "type": "text",
        "role": "suggestion",
        "label": "您对我们的服务还有什么建议或意见吗？",
        "required": False,
        "clause": "CB-06",
    },
]



def seed(apps, schema_editor):
    Questionnaire = apps.get_model("callbacks", "Questionnaire")
    if not Questionnaire.objects.filter(organization__isnull=True, is_current=True).exists():
        Questionnaire.objects.create(
            organization=None,
            name="D02 维修回访",
            version=1,
            opening=D02_OPENING,
            closing=D02_CLOSING,
            fee_reminder=D02_FEE_REMINDER,
            questions=D02_QUESTIONS,
            is_current=True,
        )


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0003_satisfaction_report_indexes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
