"""The demo: a built-in catalog and loopback targets, so a newcomer sees Watchkeeper work with no set-up."""
