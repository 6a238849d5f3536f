"""Leaving Pingdom: a Pingdom API 3.1 checks export turned into catalog YAML (`watchkeeper import pingdom`)."""

from watchkeeper.importers.pingdom.importer import (
    ImportedCheck,
    ImportOptions,
    Note,
    PingdomImport,
    SkippedCheck,
    import_pingdom,
)

__all__ = ["ImportOptions", "ImportedCheck", "Note", "PingdomImport", "SkippedCheck", "import_pingdom"]
