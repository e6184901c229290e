"""Recipe model (pyodide-build meta.yaml) and builder."""
