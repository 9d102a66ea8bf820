"""Ways to use binlint's knowledge from other tools (detect-secrets)."""
