"""Clipsite as an MCP server: the service's actions as tools for agents.

Two transports serve one set of tools (:mod:`mcpserver.server`): streamable HTTP at
``/mcp`` on the web deployment (:mod:`mcpserver.http`), authenticated by the REST API's
keys, and stdio (``manage.py mcp``) for a local client, authenticated by a key from the
environment. Every tool calls the same actions, validators, limits and ownership rules
as the REST API; nothing here stores data of its own.
"""
