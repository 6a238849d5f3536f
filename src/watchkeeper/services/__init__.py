"""Use cases: each runs one piece of work by combining domain decisions with the store and other ports."""
