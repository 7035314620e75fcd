"""Turning text into search terms: jieba for Chinese, light stemming for English.

Chinese runs are cut with jieba in search mode (``国际转账`` → ``国际 转账 国际转账``) and,
as a safety net for words the dictionary splits differently (``锁`` vs ``锁定``), every run
also yields its character bigrams as ``~xy`` terms, which the index weighs lower. Latin
words are lower-cased, stop words dropped and a small suffix stemmer folds plurals and
verb forms (``transfers``/``transferred`` → ``transfer``).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

import jieba

_LATIN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SPLIT = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")

EN_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "my",
        "me",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "not",
        "no",
        "get",
        "got",
        "does",
        "don't",
        "can't",
        "i'm",
        "it's",
    ]
)
ZH_STOP = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "么",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "我",
        "我的",
        "你",
        "你的",
        "您",
        "您的",
        "他",
        "她",
        "它",
        "我们",
        "有",
        "也",
        "就",
        "都",
        "被",
        "把",
        "给",
        "让",
        "从",
        "对",
        "于",
        "为",
        "以",
        "之",
        "而",
        "这",
        "那",
        "这个",
        "那个",
        "什么",
        "怎么",
        "怎么办",
        "怎样",
        "如何",
        "为什么",
        "哪里",
        "哪些",
        "请问",
        "一下",
        "可以",
        "能",
        "能否",
        "要",
        "会",
        "该",
        "应该",
        "个",
        "中",
        "上",
        "下",
        "里",
        "时",
        "后",
        "前",
        "没",
        "不",
        "没有",
        "还",
        "又",
        "再",
        "很",
        "太",
    ]
)
# Words of the payment domain that jieba's general dictionary cuts badly.
DOMAIN_WORDS = (
    "到账",
    "到帐",
    "入账",
    "充值",
    "入金",
    "提现",
    "手续费",
    "汇率",
    "换汇",
    "货币兑换",
    "国际转账",
    "跨境汇款",
    "双重验证",
    "两步验证",
    "二次验证",
    "验证码",
    "恢复码",
    "备用码",
    "钓鱼",
    "钓鱼邮件",
    "钓鱼网站",
    "冒充",
    "客服",
    "人工客服",
    "在线客服",
    "回电",
    "账户被锁",
    "账号锁定",
    "重置密码",
    "找回密码",
    "忘记密码",
    "交易记录",
    "对账单",
    "付款失败",
    "支付失败",
    "银行卡",
    "余额不足",
    "风控",
    "限额",
    "收款人",
    "身份验证",
    "实名认证",
    "退款",
    "商户",
    "官方渠道",
)

_tokenizer: jieba.Tokenizer | None = None
_tokenizer_lock = threading.Lock()


def _jieba() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                for word in DOMAIN_WORDS:
                    tok.add_word(word, freq=50_000)
                _tokenizer = tok
    return _tokenizer


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def stem(word: str) -> str:
    """A small suffix stemmer: enough to fold plurals, -ing and -ed forms together."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl, min_len in (
        ("ies", "y", 5),
        ("sses", "ss", 5),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "", 5),
        ("s", "", 4),
    ):
        if word.endswith(suffix) and len(word) >= min_len:
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "sses", "zes")):
                continue
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            word = word[: len(word) - len(suffix)] + repl
            break
    # transferr(ed) → transfer, stopp(ed) → stop
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    # charge / charges / charged / charging all become "charg".
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def tokens(text: str, *, bigrams: bool = True) -> list[str]:
    """All search terms of ``text`` in order, duplicates kept (they are term frequencies)."""
    out: list[str] = []
    for i, part in enumerate(_SPLIT.split(normalize(text))):
        if not part:
            continue
        if i % 2 == 1:  # a run of Chinese characters
            for word in _jieba().cut_for_search(part, HMM=True):
                if word not in ZH_STOP and (len(word) > 1 or word not in "，。、"):
                    out.append(word)
            if bigrams:
                out.extend("~" + part[j : j + 2] for j in range(len(part) - 1))
        else:
            for m in _LATIN.finditer(part):
                word = m.group().replace("’", "'")
                if word in EN_STOP:
                    continue
                out.append(stem(word.split("'")[0]))
    return out
