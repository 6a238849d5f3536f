"""The `watchkeeper` command."""
