"""Pure decisions on typed, immutable values.

This layer does no I/O and never reads the clock: time and timezones come in as arguments. An import contract
(`make lint`) keeps database, network, web and YAML libraries out of it.
"""
