"""Registries and exchange formats: ClinicalTrials.gov import and export, FHIR, schema.org, JSON Schema."""
