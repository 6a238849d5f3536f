"""Built-in check types, one module each, registered through the `watchkeeper.checks` entry points."""
