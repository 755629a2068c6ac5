"""CMP-05 / CON-12: the company-wide communication guidance every complaint handler starts with.

Data only (the schema is 0002). Each article is created once, recognised by its title among the company-wide
articles, so running the migration on a database that already has an edited version adds nothing; the reverse
removes only the untouched first versions this migration wrote.
"""

from django.db import migrations

# (title, tags, clause, body). Lines starting with ✔ are recommended phrases, ✘ banned language (the page colours
# them); the texts are written for this project from the seed's principles (D06 与客户沟通的方法, D07 文明用语).
ARTICLES = [
    (
        "投诉处理五步法：倾听、致歉、确认、承诺、跟进",
        ["general"],
        "CMP-05、G-01",
        """处理任何投诉都按以下五步进行，每一步都要在系统里留下记录。

一、耐心倾听
让客户把话说完，不打断、不辩解、不急于下结论。一边听一边记下事实（时间、地点、人员、经过）和客户的诉求。
✔ 您慢慢说，我都记下来了。
✔ 您刚才说的情况，我再跟您核对一下。

二、真诚致歉
先为客户遇到的不便道歉，道歉不等于承认责任，而是对客户感受的尊重。
✔ 给您添麻烦了，非常抱歉。
✔ 让您跑了好几趟，实在对不起。

三、复述确认
用自己的话把投诉事项和诉求复述一遍，请客户确认，避免理解偏差。
✔ 我理解您的意思是……，您希望我们……，对吗？

四、承诺期限
告诉客户谁来处理、什么时候答复。期限以系统显示的“答复截止”为准，不要承诺做不到的时间。
✔ 这件事由我们中心经理负责，最晚在（答复截止时间）前给您答复。
✔ 您的投诉编号是……，凭编号和电话后四位可以随时查询进度。

五、按时跟进
答复后请客户确认是否满意；客户不满意的，重新处理，不推诿。结案前确认已记录处理结果和处理人（CMP-06）。""",
    ),
    (
        "文明用语与禁用语",
        ["general", "language", "attitude"],
        "CON-12",
        """工作中必须使用文明用语，禁止使用伤害感情、激化矛盾、损害形象的语言（CON-12）。客户反映用语不文明的，投诉类别选“用语不文明”。

常用文明用语
✔ 您好，请问有什么可以帮您？
✔ 请稍等，我马上为您查询。
✔ 对不起，让您久等了。
✔ 谢谢您的理解和支持。
✔ 这个问题我暂时不能答复您，我了解清楚后在（时间）前给您回电。

禁用语（任何情况下都不得使用）
✘ 不知道，你问别人去。
✘ 这不归我们管。
✘ 你自己没看清楚。
✘ 急什么，排队去。
✘ 有意见你去投诉好了。
✘ 说了多少遍了，怎么还不明白。
✘ 下班了，明天再来。

替换说法
客户的要求超出职责范围时，不说“不归我们管”，而说：
✔ 这件事由（部门）负责，我帮您联系，或把电话告诉您。""",
    ),
    (
        "客户情绪激动时的沟通",
        ["general", "attitude", "language"],
        "CMP-05",
        """客户情绪激动时，先处理情绪，再处理事情。

要点
1. 保持语速平稳、音量适中，不与客户争执，不提高嗓门。
2. 不对客户的情绪作评价，不说“您别激动”“您冷静一点”。
3. 先认同感受，再引导到事实和诉求上。
4. 来访客户可请到接待室就座，倒一杯水，避免在窗口前围观。
5. 客户有过激言行时，及时请值班负责人到场，必要时报告中心经理。

推荐说法
✔ 遇到这样的事，换作是我也会着急。
✔ 您的心情我理解，我们一起把事情弄清楚。
✔ 您先坐，我们慢慢说。

避免的说法
✘ 您别激动。
✘ 这是规定，我也没办法。
✘ 又不是我弄的。""",
    ),
    (
        "电话受理投诉要点",
        ["general"],
        "CMP-01、CMP-11",
        """1. 接听后先问候并报工号：“您好，××服务中心，×号为您服务。”
2. 记下投诉人姓名和联系电话，并复述电话号码核对。
3. 询问投诉人是否需要短信通知处理进度；不需要的，在受理页取消勾选。
4. 问清时间、地点、涉及的工单号或人员，投诉针对某位员工的要记下姓名或工号。
5. 按“倾听、致歉、确认、承诺、跟进”五步处理，保存后把系统显示的投诉编号和答复截止时间告诉投诉人。
6. 结束语：“感谢您的监督，我们会尽快处理，请保持电话畅通。”

✔ 您的投诉编号是……，我们会在（答复截止时间）前答复您。
✘ 你说快点，我还有别的电话。""",
    ),
    (
        "答复投诉人的写法",
        ["general", "quality", "timeliness", "charge"],
        "G-01、CMP-06",
        """答复内容会通过短信提示和查询页展示给投诉人，请用投诉人能看懂的话写清楚：

1. 调查了解到的事实（不写内部人员的姓名和联系方式）。
2. 已经采取或将要采取的措施，以及完成时间。
3. 对投诉人诉求的回应：同意的写明怎么做，不能满足的说明原因和依据。
4. 涉及费用或赔偿的，写明金额和承担方。
5. 致歉和感谢。

示例
✔ 经核实，维修人员12月1日上门时未带齐配件，导致维修延误。我们已于12月2日安排复修，暖气已恢复正常，并对相关人员进行了批评教育。给您带来的不便，我们深表歉意，感谢您的监督。

避免
✘ 经研究，您的诉求不合理。
✘ 已处理。""",
    ),
    (
        "收费争议的沟通",
        ["charge"],
        "SVC-07、SVC-08",
        """客户对收费有异议时：

1. 先调出工单的服务凭证，核对材料清单、服务费和收款记录，向客户逐项说明。
2. 收费与凭证不符、或属于免费服务却收了费的，当场致歉，按规定退还，并在答复中写明。
3. 收费无误的，耐心解释收费依据，不与客户争执。
4. 涉及维修人员私自收费的，投诉类别选“收费”并指明被投诉人员，处理人可登记违纪（CMP-08）。

✔ 我把这次的收费明细给您念一下，您看哪一项有疑问。
✔ 这笔费用确实不该收，我们会在三个工作日内退还给您。
✘ 收费是公司规定的，你有意见找公司去。""",
    ),
    (
        "商户投诉的处理与赔偿",
        ["merchant"],
        "CMP-09",
        """投诉针对入驻商户的商品或服务时：

1. 受理时投诉类别选“商户”，写明商户名称。
2. 及时把投诉转给商户负责人，要求其在答复期限内提出处理意见。
3. 商户所售商品给客户造成损失的，由商户全部负责（CMP-09）；答复时填写赔偿金额，承担方默认为该商户。
4. 商户拒不处理的，报中心经理，按商户管理规定处理。

✔ 您反映的情况我们已经转给商户，商户会在（时间）前给您答复，我们会跟进到底。
✘ 这是商户的事，跟我们没关系。""",
    ),
    (
        "服务时效类投诉的处理",
        ["timeliness", "quality"],
        "WO-03、G-01",
        """客户反映“没人来”“修得慢”“修了又坏”时：

1. 先查相关工单的时限与记录（响应、派单、到场、完工时间），确认延误发生在哪一环。
2. 问题仍未解决的，优先安排处理，必要时请中心经理调派人员，并告诉客户新的上门时间。
3. 返修的，与原维修人员核实原因，在答复中说明。
4. 结案后可提出改进措施（CMP-02），例如调整排班、补充常用配件。

✔ 我查到您的工单是12月1日上午报修的，确实超过了承诺的时间，非常抱歉。我已经安排师傅今天下午三点前上门。
✘ 最近报修的人多，你等着吧。""",
    ),
]


def seed(apps, schema_editor):
    GuidanceArticle = apps.get_model("complaints", "GuidanceArticle")
    existing = set(GuidanceArticle.objects.filter(organization__isnull=True).values_list("title", flat=True))
    GuidanceArticle.objects.bulk_create(
        [
            GuidanceArticle(organization=None, title=title, body=body, tags=tags, clause=clause, version=1)
            for title, tags, clause, body in ARTICLES
            if title not in existing
        ]
    )


def unseed(apps, schema_editor):
    GuidanceArticle = apps.get_model("complaints", "GuidanceArticle")
    titles = [title for title, _tags, _clause, _body in ARTICLES]
    superseded = GuidanceArticle.objects.filter(supersedes__isnull=False).values_list("supersedes_id", flat=True)
    GuidanceArticle.objects.filter(
        organization__isnull=True, title__in=titles, version=1, created_by__isnull=True
    ).exclude(pk__in=list(superseded)).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_case_token_confirm_due_and_indexes")]

    operations = [migrations.RunPython(seed, unseed)]
