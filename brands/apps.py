from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "brands"
    verbose_name = "Brand kits"
    default_auto_field = "django.db.models.BigAutoField"
