"""The MCP endpoint, mounted at /mcp."""

from django.urls import path

from mcpserver import http

urlpatterns = [path("", http.endpoint, name="mcp")]
