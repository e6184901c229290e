"""Kiln's host tools: toolchain, sources, CPython build, recipes, dist."""
