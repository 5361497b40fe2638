import logging

from django.apps import AppConfig


class McpServerConfig(AppConfig):
    name = "mcpserver"
    verbose_name = "MCP server"

    def ready(self):
        # /mcp starts and stops the SDK's session manager for every request (see
        # mcpserver.http); its INFO lines would be three a request, saying nothing.
        for name in ("mcp.server.streamable_http_manager", "mcp.server.streamable_http"):
            logging.getLogger(name).setLevel(logging.WARNING)
