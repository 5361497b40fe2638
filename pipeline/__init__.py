"""Clipsite's media and AI engine.

Pure Python with no Django import: each step takes paths and dataclasses, returns
dataclasses (see :mod:`pipeline.types`) and reports progress through a callback.
"""
