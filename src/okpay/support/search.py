"""The help-center search engine: an in-memory BM25 index over the published articles.

One index per language holds, for every term, the precomputed BM25F score of each article
(fields weighted title > keywords > summary > body; an article missing the language is
indexed with its other language, as it is shown). A query is cut into terms, widened with
the synonym groups, and scored by adding the postings of its terms: no database query
except the version check.

The index is rebuilt when its version changes: (count, max(updated_at)) of the articles
and of the synonyms, read with one query per search. Every process keeps its own copy and
notices another process's edits through that version, so several workers stay correct
without shared memory; a lock makes the rebuild happen once per process.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q

from okpay.support.models import Article, Synonym
from okpay.support.models.helpcenter import pick, split_terms
from okpay.support.text import normalize, tokens

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.5, "summary": 1.6, "body": 1.0}
BIGRAM_WEIGHT = 0.35  # ~xy character bigrams: recall for words jieba cuts differently
SYNONYM_WEIGHT = 0.6  # the most one term added from a synonym group can weigh
MIN_RELATIVE_SCORE = 0.12  # drop hits scoring under 12 % of the best one
K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class IndexedArticle:
    id: int
    slug: str
    category_id: int
    title: str
    summary: str
    language: str


@dataclass(frozen=True)
class Hit:
    article: IndexedArticle
    score: float


@dataclass
class LanguageIndex:
    docs: list[IndexedArticle] = field(default_factory=list)
    postings: dict[str, dict[int, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    """What the index reads of one article, in one language."""

    id: int
    slug: str
    category_id: int
    language: str
    title: str
    summary: str
    keywords: str
    body: str


def build_language_index(documents: Sequence[Document]) -> LanguageIndex:
    """BM25F: per-field length normalisation, one IDF per term over the whole collection."""
    index = LanguageIndex()
    field_tfs: list[dict[str, Counter[str]]] = []
    lengths: dict[str, list[int]] = {name: [] for name in FIELD_WEIGHTS}
    df: Counter[str] = Counter()
    for doc in documents:
        index.docs.append(
            IndexedArticle(
                id=doc.id,
                slug=doc.slug,
                category_id=doc.category_id,
                title=doc.title,
                summary=doc.summary,
                language=doc.language,
            )
        )
        per_field = {
            "title": Counter(tokens(doc.title)),
            "keywords": Counter(tokens(doc.keywords.replace(",", " , "))),
            "summary": Counter(tokens(doc.summary)),
            "body": Counter(tokens(doc.body)),
        }
        field_tfs.append(per_field)
        for name, tf in per_field.items():
            lengths[name].append(sum(tf.values()))
        df.update(set().union(*(tf.keys() for tf in per_field.values())))
    n = len(documents)
    avg = {name: (sum(v) / len(v) if v and sum(v) else 1.0) for name, v in lengths.items()}
    postings: dict[str, dict[int, float]] = defaultdict(dict)
    for pos, per_field in enumerate(field_tfs):
        weighted: dict[str, float] = defaultdict(float)
        for name, tf in per_field.items():
            norm = 1 - B + B * lengths[name][pos] / avg[name]
            for term, count in tf.items():
                weighted[term] += FIELD_WEIGHTS[name] * count / norm
        for term, wtf in weighted.items():
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            score = idf * wtf * (K1 + 1) / (wtf + K1)
            if term.startswith("~"):
                score *= BIGRAM_WEIGHT
            postings[term][pos] = score
    index.postings = dict(postings)
    return index


def expand_query(query: str, synonyms: Iterable[Sequence[str]]) -> dict[str, float]:
    """Query terms with their weights: the query's own, plus those of matching synonyms."""
    text = normalize(query)
    own = tokens(text)
    weights: dict[str, float] = dict.fromkeys(own, 1.0)
    own_set = set(own)
    for group in synonyms:
        matched = False
        for term in group:
            t = normalize(term)
            term_tokens = tokens(t, bigrams=False)
            if not term_tokens:
                continue
            if t in text or set(term_tokens) <= own_set:
                matched = True
                break
        if not matched:
            continue
        added = [tok for term in group for tok in tokens(normalize(term)) if tok not in weights]
        # A group adds about as much as one word of the query, however many terms it has.
        share = min(SYNONYM_WEIGHT, 1.5 / max(1, len(set(added))))
        for tok in added:
            weights.setdefault(tok, share)
    return weights


def rank(
    index: LanguageIndex, weights: dict[str, float], *, limit: int, category_id: int | None
) -> list[Hit]:
    """Sum the postings, then favour articles that cover more of the query's own words.

    Without the coverage factor a long article that repeats two of the words beats the
    one that has them all (国际转账 + 多久 + 到账 should find "how long", not "how to").
    """
    scores: dict[int, float] = defaultdict(float)
    matched: dict[int, int] = defaultdict(int)
    own_words = [t for t, w in weights.items() if w == 1.0 and not t.startswith("~")]
    own_set = set(own_words)
    for term, weight in weights.items():
        postings = index.postings.get(term, {})
        for pos, score in postings.items():
            scores[pos] += weight * score
        if term in own_set:
            for pos in postings:
                matched[pos] += 1
    if own_words:
        for pos in scores:
            coverage = matched[pos] / len(own_words)
            scores[pos] *= 0.25 + 0.75 * coverage * coverage
    hits = [
        Hit(article=index.docs[pos], score=score)
        for pos, score in scores.items()
        if category_id is None or index.docs[pos].category_id == category_id
    ]
    hits.sort(key=lambda h: (-h.score, h.article.slug))
    if hits:
        # Articles that share only a stray word with the query are noise, not answers.
        floor = hits[0].score * MIN_RELATIVE_SCORE
        hits = [h for h in hits if h.score >= floor]
    return hits[:limit]


@dataclass
class SearchEngine:
    """The per-process index, rebuilt on a new version (thread-safe)."""

    version: tuple[object, ...] | None = None
    indexes: dict[str, LanguageIndex] = field(default_factory=dict)
    synonyms: list[list[str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def current_version(self) -> tuple[object, ...]:
        articles = Article.objects.aggregate(
            n=Count("id"), published=Count("id", filter=Q(published=True)), last=Max("updated_at")
        )
        synonyms = Synonym.objects.aggregate(n=Count("id"), last=Max("updated_at"))
        return (
            articles["n"],
            articles["published"],
            articles["last"],
            synonyms["n"],
            synonyms["last"],
        )

    def ensure_fresh(self) -> None:
        version = self.current_version()
        if version == self.version:
            return
        with self.lock:
            if version == self.version:
                return
            self.rebuild(version)

    def rebuild(self, version: tuple[object, ...]) -> None:
        rows: list[dict[str, Any]] = [
            dict(row)
            for row in Article.objects.filter(published=True).values(
                "id",
                "slug",
                "category_id",
                "title_zh",
                "title_en",
                "summary_zh",
                "summary_en",
                "keywords_zh",
                "keywords_en",
                "body_zh",
                "body_en",
            )
        ]
        indexes = {}
        for language in ("zh-hans", "en"):
            documents = []
            for row in rows:
                title, used = pick(row["title_zh"], row["title_en"], language)
                suffix = "zh" if used == "zh-hans" else "en"
                documents.append(
                    Document(
                        id=row["id"],
                        slug=row["slug"],
                        category_id=row["category_id"],
                        language=used,
                        title=title,
                        summary=row[f"summary_{suffix}"],
                        keywords=row[f"keywords_{suffix}"],
                        body=row[f"body_{suffix}"],
                    )
                )
            indexes[language] = build_language_index(documents)
        self.synonyms = [
            split_terms(terms)
            for terms in Synonym.objects.filter(active=True).values_list("terms", flat=True)
        ]
        self.indexes = indexes
        self.version = version

    def search(
        self, query: str, *, language: str, limit: int = 20, category_id: int | None = None
    ) -> list[Hit]:
        self.ensure_fresh()
        weights = expand_query(query, self.synonyms)
        if not weights:
            return []
        index = self.indexes["en" if language == "en" else "zh-hans"]
        return rank(index, weights, limit=limit, category_id=category_id)


engine = SearchEngine()


def search_articles(
    query: str, *, language: str, limit: int = 20, category_id: int | None = None
) -> list[Hit]:
    """Published articles matching ``query``, best first."""
    return engine.search(query, language=language, limit=limit, category_id=category_id)
