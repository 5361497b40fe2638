"""OpenAPI description of API-key authentication (loaded by drf-spectacular via AppConfig)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = ["bearerAuth", "apiKeyHeader"]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "http", "scheme": "bearer", "bearerFormat": "cs_live_…",
             "description": "An API key from the dashboard: `Authorization: Bearer cs_live_...`."},
            {"type": "apiKey", "in": "header", "name": "X-API-Key",
             "description": "The same key in the X-API-Key header."},
        ]  # fmt: skip
