"""Help-center content: categories, articles in zh-Hans and en, steps, votes, synonyms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("zh-hans", "en")


def pick(zh: str, en: str, language: str) -> tuple[str, str]:
    """The text in ``language`` if it exists, else the other one, with the language used."""
    if language == "en":
        return (en, "en") if en else (zh, "zh-hans")
    return (zh, "zh-hans") if zh else (en, "en")


class Category(models.Model):
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    description_zh = models.CharField(_("description (Chinese)"), max_length=200, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=200, blank=True)
    icon = models.CharField(_("icon"), max_length=32, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "slug")
        verbose_name = _("help category")
        verbose_name_plural = _("help categories")

    def __str__(self) -> str:
        return f"{self.name_zh} / {self.name_en}"

    def name(self, language: str) -> str:
        return pick(self.name_zh, self.name_en, language)[0]

    def description(self, language: str) -> str:
        return pick(self.description_zh, self.description_en, language)[0]


class Article(models.Model):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_zh = models.CharField(_("summary (Chinese)"), max_length=400, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=400, blank=True)
    body_zh = models.TextField(_("body (Chinese, Markdown)"), blank=True)
    body_en = models.TextField(_("body (English, Markdown)"), blank=True)
    keywords_zh = models.CharField(
        _("search keywords (Chinese)"),
        max_length=400,
        blank=True,
        help_text=_("Words people type that are not in the text, separated by commas."),
    )
    keywords_en = models.CharField(_("search keywords (English)"), max_length=400, blank=True)
    related = models.ManyToManyField(
        "self", blank=True, symmetrical=False, verbose_name=_("related articles")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ("category__order", "order", "slug")
        verbose_name = _("help article")
        verbose_name_plural = _("help articles")
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_zh="") | ~Q(title_en=""), name="support_article_has_title"
            )
        ]

    def __str__(self) -> str:
        return self.title_zh or self.title_en

    def save(self, *args: object, **kwargs: object) -> None:
        # The search index is versioned by max(updated_at): every save moves it forward.
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def title(self, language: str) -> str:
        return pick(self.title_zh, self.title_en, language)[0]

    def summary(self, language: str) -> str:
        return pick(self.summary_zh, self.summary_en, language)[0]

    def content_language(self, language: str) -> str:
        """The language the article is shown in: the asked one, or the other when missing."""
        return pick(self.body_zh or self.title_zh, self.body_en or self.title_en, language)[1]


class ArticleStep(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("position"))
    text_zh = models.CharField(_("step (Chinese)"), max_length=400, blank=True)
    text_en = models.CharField(_("step (English)"), max_length=400, blank=True)
    image = models.CharField(
        _("image"),
        max_length=200,
        blank=True,
        help_text=_("Static path of a screenshot, e.g. support/img/topup-step.svg."),
    )
    image_alt_zh = models.CharField(_("image description (Chinese)"), max_length=200, blank=True)
    image_alt_en = models.CharField(_("image description (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ("article", "position")
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(
                fields=("article", "position"), name="support_step_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text_zh or self.text_en}"

    def text(self, language: str) -> str:
        return pick(self.text_zh, self.text_en, language)[0]


class ArticleVote(models.Model):
    """One "was this helpful?" answer per signed-in user, or per session for guests."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    session_key = models.CharField(max_length=64, blank=True)
    helpful = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("article vote")
        verbose_name_plural = _("article votes")
        constraints = [
            models.UniqueConstraint(
                fields=("article", "user"),
                condition=Q(user__isnull=False),
                name="support_vote_one_per_user",
            ),
            models.UniqueConstraint(
                fields=("article", "session_key"),
                condition=Q(user__isnull=True),
                name="support_vote_one_per_session",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(session_key=""),
                name="support_vote_has_voter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class Synonym(models.Model):
    """A group of words searched as one: a query with any of them also finds the others."""

    terms = models.CharField(
        _("terms"),
        max_length=400,
        help_text=_("Words or phrases meaning the same, separated by commas or |."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ("pk",)
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")

    def __str__(self) -> str:
        return self.terms

    def save(self, *args: object, **kwargs: object) -> None:
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def term_list(self) -> list[str]:
        return split_terms(self.terms)


def split_terms(value: str) -> list[str]:
    parts = value.replace("|", ",").replace("，", ",").replace("↔", ",").split(",")
    return [p.strip() for p in parts if p.strip()]
