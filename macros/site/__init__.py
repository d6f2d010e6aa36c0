"""The mkdocs glue: page macros, the Jinja environment and templates, files written after the build."""
