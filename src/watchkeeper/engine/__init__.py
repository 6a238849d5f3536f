"""The engine: background duties (later: scheduler, evaluators, escalation timers, outbox delivery)."""
