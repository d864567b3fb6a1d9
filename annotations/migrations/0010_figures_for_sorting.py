"""What the /reports/ overview sorts by, kept with each article's figures (annotations.figures).

Rows cached before are brought along from what they hold (the body's length
read once here); a row whose figures were stale stays stale.
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.models.functions import Length

SPECULATION, VERIFIED = "unsourced_speculation", "verified_fact"


def fill(apps, schema_editor):
    ArticleFigures = apps.get_model("annotations", "ArticleFigures")
    rows = ArticleFigures.objects.filter(chars__isnull=False).annotate(length=Length("article__body"))
    changed = []
    for row in rows.iterator(chunk_size=1000):
        labelled = sum(row.chars.values())
        row.total = row.length
        row.covered = labelled / row.length if row.length else 0.0
        row.speculation = row.chars.get(SPECULATION, 0) / labelled if labelled else None
        row.verified = row.chars.get(VERIFIED, 0) / labelled if labelled else None
        changed.append(row)
    ArticleFigures.objects.bulk_update(
        changed, ["total", "covered", "speculation", "verified"], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0009_span_reading_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="articlefigures",
            name="total",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="articlefigures",
            name="covered",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="articlefigures",
            name="speculation",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="articlefigures",
            name="verified",
            field=models.FloatField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
