"""Shipped help-center content: categories, articles (Markdown files) and default synonyms.

An article file is ``articles/<slug>.md``::

    ---
    category: account
    order: 10
    related: reset-password, two-factor-authentication
    title.zh: 忘记密码怎么办？
    title.en: I forgot my password
    summary.zh: ...
    keywords.zh: 找回密码, 重置密码
    step.zh: 打开登录页，点击"忘记密码"。
    step.en: Open the sign-in page and choose "Forgot password".
    ---
    <!-- zh-hans -->
    Chinese Markdown body
    <!-- en -->
    English Markdown body

``step.zh`` / ``step.en`` lines pair up in order. The data migrations read these files, so
a fresh database has the same help center as the repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"


@dataclass(frozen=True)
class CategorySource:
    slug: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    icon: str
    order: int


CATEGORIES = (
    CategorySource(
        "contact",
        "联系我们",
        "Contact us",
        "各个客服渠道分别适合什么问题",
        "Which channel to use for what",
        "chat",
        10,
    ),
    CategorySource(
        "account",
        "账户与登录",
        "Account and sign-in",
        "登录、密码、账户锁定",
        "Sign-in, passwords, locked accounts",
        "user",
        20,
    ),
    CategorySource(
        "security",
        "安全与防骗",
        "Security and fraud",
        "双重验证、防钓鱼、官方渠道核实",
        "2FA, phishing, checking official channels",
        "shield",
        30,
    ),
    CategorySource(
        "payments",
        "付款与转账",
        "Payments and transfers",
        "付款失败、国内和国际转账",
        "Failed payments, domestic and international transfers",
        "send",
        40,
    ),
    CategorySource(
        "topup",
        "充值与提现",
        "Top-up and withdrawal",
        "充值到账时间、提现",
        "Top-up arrival times, withdrawals",
        "wallet",
        50,
    ),
    CategorySource(
        "fees",
        "费用与汇率",
        "Fees and exchange rates",
        "手续费、汇率、货币兑换",
        "Fees, exchange rates, conversion",
        "percent",
        60,
    ),
    CategorySource(
        "records",
        "交易记录与对账单",
        "Records and statements",
        "查找交易、下载对账单",
        "Find a transaction, download statements",
        "list",
        70,
    ),
)

DEFAULT_SYNONYMS = (
    "忘记密码, 重置密码, 找回密码, 密码错误, forgot password, reset password",
    "账户被锁, 账号锁定, 账户锁定, 冻结, 账号被锁, 登录不了, locked, account locked, frozen",
    "手续费, 费用, 收费, 扣费, fee, fees, charge, charges",
    "到账, 到帐, 入账, 未到账, 没到账, arrive, arrival, credited",
    "充值, 入金, 存入, top-up, top up, topup, deposit, add money",
    "双重验证, 两步验证, 二次验证, 2fa, 两因素认证, two-factor, 2-step verification",
    "客服, 人工客服, 联系客服, 联系我们, support, customer service, contact",
    "国际转账, 跨境汇款, 境外汇款, 汇款到国外, international transfer, wire, send abroad",
    "汇率, 换汇, 货币兑换, 兑换, exchange rate, conversion, convert, fx",
    "钓鱼, 诈骗, 骗子, 冒充, 假冒, phishing, scam, fraud, fake",
    "交易记录, 交易明细, 交易流水, 历史记录, transaction history, records",
    "对账单, 月结单, 流水证明, statement, bank statement",
    "付款失败, 支付失败, 扣款失败, 转账失败, payment failed, declined, failed payment",
    "提现, 取现, 提款, withdraw, withdrawal, cash out",
)


@dataclass
class ArticleSource:
    slug: str
    category: str
    order: int = 0
    related: list[str] = field(default_factory=list)
    title_zh: str = ""
    title_en: str = ""
    summary_zh: str = ""
    summary_en: str = ""
    keywords_zh: str = ""
    keywords_en: str = ""
    body_zh: str = ""
    body_en: str = ""
    steps: list[tuple[str, str]] = field(default_factory=list)


def parse_article(slug: str, text: str) -> ArticleSource:
    if not text.startswith("---\n"):
        raise ValueError(f"{slug}: the file must start with front matter (---)")
    head, _, body = text[4:].partition("\n---\n")
    article = ArticleSource(slug=slug, category="")
    steps_zh: list[str] = []
    steps_en: list[str] = []
    for line in head.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"{slug}: front-matter line without a key: {line!r}")
        key, value = key.strip(), value.strip()
        if key == "category":
            article.category = value
        elif key == "order":
            article.order = int(value)
        elif key == "related":
            article.related = [s.strip() for s in value.split(",") if s.strip()]
        elif key == "step.zh":
            steps_zh.append(value)
        elif key == "step.en":
            steps_en.append(value)
        elif key in {
            "title.zh",
            "title.en",
            "summary.zh",
            "summary.en",
            "keywords.zh",
            "keywords.en",
        }:
            setattr(article, key.replace(".", "_"), value)
        else:
            raise ValueError(f"{slug}: unknown front-matter key {key!r}")
    if len(steps_zh) != len(steps_en):
        raise ValueError(f"{slug}: step.zh and step.en lines must pair up")
    article.steps = list(zip(steps_zh, steps_en, strict=True))
    zh_marker, en_marker = "<!-- zh-hans -->", "<!-- en -->"
    if zh_marker not in body or en_marker not in body:
        raise ValueError(f"{slug}: the body needs both {zh_marker} and {en_marker}")
    article.body_zh = body.split(zh_marker, 1)[1].split(en_marker, 1)[0].strip() + "\n"
    article.body_en = body.split(en_marker, 1)[1].strip() + "\n"
    if not article.category or not article.title_zh or not article.title_en:
        raise ValueError(f"{slug}: category, title.zh and title.en are required")
    return article


def load_articles(directory: Path = ARTICLES_DIR) -> list[ArticleSource]:
    return [
        parse_article(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.md"))
    ]
