"""Ship the default official channels (operators edit them in the back office)."""

from django.db import migrations

CHANNELS = [
    # kind, platform, value, url, name_zh, name_en, hours_zh, hours_en, tz,
    # response_zh, response_en, best_for_zh, best_for_en
    ("web_chat", "", "https://okpay.example/help/chat/", "https://okpay.example/help/chat/",
     "在线客服", "Web chat", "每天 08:00–22:00", "Every day 08:00–22:00", "Asia/Shanghai",
     "通常 2 分钟内接入", "Usually within 2 minutes",
     "操作指导、账户和登录问题、付款失败", "How-to questions, account and sign-in issues, failed payments"),
    ("email", "", "support@okpay.example", "mailto:support@okpay.example",
     "客服邮箱", "Support e-mail", "", "", "",
     "24–48 小时内回复", "Answered within 24–48 hours",
     "不着急、需要附上截图或文件的问题；每封邮件自动生成工单", "Questions that are not urgent or need screenshots and documents; every mail opens a ticket"),
    ("email", "", "security@okpay.example", "mailto:security@okpay.example",
     "安全举报邮箱", "Security reports", "", "", "",
     "24 小时内处理", "Handled within 24 hours",
     "转发钓鱼邮件、举报冒充 OKpay 的网站或账号", "Forwarding phishing mail, reporting sites or accounts posing as OKpay"),
    ("phone", "", "+86 400 123 4567", "tel:+864001234567",
     "客服电话（中国大陆）", "Phone (China mainland)", "每天 08:00–22:00", "Every day 08:00–22:00", "Asia/Shanghai",
     "即时接听", "Answered live",
     "大额或紧急问题、疑似盗刷、账户被盗", "Large or urgent cases, suspected fraud, a taken-over account"),
    ("phone", "", "+86 21 6123 4567", "tel:+862161234567",
     "客服电话（海外拨打中国）", "Phone (calling China from abroad)", "每天 08:00–22:00", "Every day 08:00–22:00", "Asia/Shanghai",
     "即时接听", "Answered live",
     "在境外无法拨打 400 电话时使用", "When a 400 number cannot be dialled from abroad"),
    ("phone", "", "+44 20 7946 0123", "tel:+442079460123",
     "客服电话（英国）", "Phone (United Kingdom)", "周一至周五 09:00–17:30", "Mon–Fri 09:00–17:30", "Europe/London",
     "即时接听", "Answered live",
     "欧洲时区的大额或紧急问题", "Large or urgent cases in European hours"),
    ("phone", "", "+1 415 555 0142", "tel:+14155550142",
     "客服电话（美国）", "Phone (United States)", "周一至周五 09:00–17:00", "Mon–Fri 09:00–17:00", "America/Los_Angeles",
     "即时接听", "Answered live",
     "美洲时区的大额或紧急问题", "Large or urgent cases in American hours"),
    ("callback", "", "+86 400 123 4567", "https://okpay.example/help/callback/",
     "预约回电", "Request a callback", "每天 08:00–22:00", "Every day 08:00–22:00", "Asia/Shanghai",
     "在您选择的时段回电", "We call in the slot you choose",
     "不方便排队等待时；我们只从官方号码呼出", "When you cannot wait on the line; we only call from official numbers"),
    ("website", "", "https://okpay.example", "https://okpay.example",
     "OKpay 官方网站", "OKpay website", "", "", "",
     "—", "—",
     "登录账户、帮助中心；请手动输入网址或使用书签", "Signing in and the help center; type the address or use a bookmark"),
    ("social", "wechat", "OKpay_Official", "",
     "微信公众号 OKpay_Official", "WeChat official account OKpay_Official", "每天 09:00–21:00", "Every day 09:00–21:00", "Asia/Shanghai",
     "工作时间内 1 小时内回复", "Within 1 hour in opening hours",
     "服务公告、简单咨询；不处理涉及账户资料的问题", "Announcements and quick questions; no account details"),
    ("social", "weibo", "OKpay官方", "https://weibo.com/okpayofficial",
     "微博 @OKpay官方", "Weibo @OKpay官方", "", "", "",
     "1 个工作日内回复私信", "Private messages answered within 1 business day",
     "服务状态和故障通知", "Service status and outage notices"),
    ("social", "x", "@OKpaySupport", "https://x.com/OKpaySupport",
     "X（Twitter）@OKpaySupport", "X (Twitter) @OKpaySupport", "", "", "",
     "1 个工作日内回复", "Replies within 1 business day",
     "服务状态、英文咨询", "Service status, questions in English"),
    ("social", "facebook", "okpayofficial", "https://facebook.com/okpayofficial",
     "Facebook OKpay", "Facebook OKpay", "", "", "",
     "1 个工作日内回复", "Replies within 1 business day",
     "产品新闻和公告", "Product news and announcements"),
    ("social", "linkedin", "okpay", "https://linkedin.com/company/okpay",
     "LinkedIn OKpay", "LinkedIn OKpay", "", "", "",
     "—", "—",
     "公司新闻、招聘和合作", "Company news, careers and partnerships"),
]  # fmt: skip


def load(apps, schema_editor):
    OfficialChannel = apps.get_model("support", "OfficialChannel")
    for order, row in enumerate(CHANNELS, start=1):
        kind, platform, value, url, nzh, nen, hzh, hen, tz, rzh, ren, bzh, ben = row
        OfficialChannel.objects.update_or_create(
            kind=kind,
            platform=platform,
            value=value,
            defaults={
                "url": url,
                "name_zh": nzh,
                "name_en": nen,
                "hours_zh": hzh,
                "hours_en": hen,
                "time_zone": tz,
                "response_zh": rzh,
                "response_en": ren,
                "best_for_zh": bzh,
                "best_for_en": ben,
                "order": order * 10,
                "active": True,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("support", "OfficialChannel").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("support", "0002_helpcenter_content")]
    operations = [migrations.RunPython(load, unload)]
