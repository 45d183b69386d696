"""Distributed mode: `watcher run --distributed` queues due checks, one Celery queue per region;
`watcher worker --regions fr,de` takes them from a machine (or a proxy) in those regions.

The broker (Redis, or RabbitMQ) only carries "check this target for this slot"; everything else
is in the shared database: leases keep two workers off one target, the slot of a check is
recorded once, versions have one successor. So a task may be delivered twice (a worker killed
before acknowledging it) and is still stored once.
"""
