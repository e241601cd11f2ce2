from django.db import migrations


def load(apps, schema_editor):
    from snu.grants.municipalities import load_reference

    load_reference(
        apps.get_model("grants", "Municipality"),
        apps.get_model("grants", "MunicipalityName"),
        apps.get_model("grants", "MunicipalitySuccessor"),
    )


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
