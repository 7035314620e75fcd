"""Ship the help center: categories, the articles under content/articles, synonyms."""

from django.db import migrations
from django.utils import timezone

from okpay.support.content import CATEGORIES, DEFAULT_SYNONYMS, load_articles


def load(apps, schema_editor):
    Category = apps.get_model("support", "Category")
    Article = apps.get_model("support", "Article")
    ArticleStep = apps.get_model("support", "ArticleStep")
    Synonym = apps.get_model("support", "Synonym")
    now = timezone.now()
    categories = {}
    for c in CATEGORIES:
        categories[c.slug], _ = Category.objects.update_or_create(
            slug=c.slug,
            defaults={
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "description_zh": c.description_zh,
                "description_en": c.description_en,
                "icon": c.icon,
                "order": c.order,
            },
        )
    sources = load_articles()
    articles = {}
    for src in sources:
        article, _ = Article.objects.update_or_create(
            slug=src.slug,
            defaults={
                "category": categories[src.category],
                "order": src.order,
                "title_zh": src.title_zh,
                "title_en": src.title_en,
                "summary_zh": src.summary_zh,
                "summary_en": src.summary_en,
                "keywords_zh": src.keywords_zh,
                "keywords_en": src.keywords_en,
                "body_zh": src.body_zh,
                "body_en": src.body_en,
                "published": True,
                "updated_at": now,
            },
        )
        article.steps.all().delete()
        ArticleStep.objects.bulk_create(
            ArticleStep(article=article, position=i, text_zh=zh, text_en=en)
            for i, (zh, en) in enumerate(src.steps, start=1)
        )
        articles[src.slug] = article
    for src in sources:
        articles[src.slug].related.set([articles[s] for s in src.related])
    for terms in DEFAULT_SYNONYMS:
        Synonym.objects.get_or_create(terms=terms, defaults={"updated_at": now})


def unload(apps, schema_editor):
    apps.get_model("support", "ArticleVote").objects.all().delete()
    apps.get_model("support", "Article").objects.all().delete()
    apps.get_model("support", "Category").objects.all().delete()
    apps.get_model("support", "Synonym").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
