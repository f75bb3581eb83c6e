"""A local sandbox of the RootFi API (v4) for tests, the demo and benchmarks.

server.py starts it (SandboxConfig, start_in_thread, run); app.py has the routes;
gate.py the gate (latency, auth and a revoked key, rate limit, Date header, fault
injection); faults.py which fault hits which request; shapes.py the answer shapes the
docs leave open (statuses, wrapped lists, cursors, ids); platform_rules.py and writes.py the
platform-like checks and record creation; async_jobs.py async syncs; listing.py filters and
paging; db.py the SQLite store; seed.py the demo data. See docs/sandbox.md.
"""
