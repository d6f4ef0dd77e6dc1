from django.db import migrations

FIELDS = [
    ("integrated-circuits", "集成电路", "Integrated circuits"),
    ("industrial-software", "工业软件", "Industrial software"),
    ("advanced-materials", "先进材料", "Advanced materials"),
    ("high-end-equipment", "高端装备", "High-end equipment"),
    ("biomedicine", "生物医药", "Biomedicine"),
    ("new-energy", "新能源", "New energy"),
    ("artificial-intelligence", "人工智能", "Artificial intelligence"),
    ("aerospace", "航空航天", "Aerospace"),
    ("quantum", "量子信息", "Quantum information"),
    ("new-energy-vehicles", "新能源汽车", "New-energy vehicles"),
    ("marine-engineering", "海洋工程", "Marine engineering"),
    ("agriculture", "现代农业", "Modern agriculture"),
    ("environment", "节能环保", "Energy saving and environment"),
    ("information-security", "信息安全", "Information security"),
]


def add_fields(apps, schema_editor):
    TechnicalField = apps.get_model("challenges", "TechnicalField")
    for position, (code, zh, en) in enumerate(FIELDS):
        TechnicalField.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en, "position": position})


def add_search_index(apps, schema_editor):
    """A trigram index makes substring search fast in Chinese and English alike (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute("SAVEPOINT trgm")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:
            # Not allowed to create extensions: search still works, just without the index.
            cursor.execute("ROLLBACK TO SAVEPOINT trgm")
            return
        cursor.execute("RELEASE SAVEPOINT trgm")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS challenge_search_trgm ON challenges_challenge USING gin (search_text gin_trgm_ops)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS challenge_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("challenges", "0001_initial")]

    operations = [
        migrations.RunPython(add_fields, migrations.RunPython.noop),
        migrations.RunPython(add_search_index, drop_search_index),
    ]
