"""The single source of truth: YAML reader with marks, typed model, validation, cross-field checks."""
