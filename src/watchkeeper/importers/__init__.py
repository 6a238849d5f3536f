"""Importers: another tool's export turned into a catalog fragment that people review and commit.

This code does no I/O: the command reads the export and writes the YAML. Each source has its own folder
(`pingdom/`, `pagerduty/`); what they share is here: reading JSON with the location of every value (`fields`), problems
reported by location (`problems`), catalog ids made from names (`ids`) and the commented YAML (`fragment`).
"""
