from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the API-key scheme with drf-spectacular's extension registry.
        from clipsite import schema  # noqa: F401
