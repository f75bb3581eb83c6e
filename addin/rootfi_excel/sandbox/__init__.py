"""A local sandbox of the RootFi API (v4) for tests, the demo and benchmarks.

server.py starts it (SandboxConfig, start_in_thread, run); app.py has the routes;
faults.py the gate (latency, auth, rate limit, fault injection); rules.py and writes.py
the platform-like checks and record creation; jobs.py async syncs; listing.py filters
and paging; db.py the SQLite store; seed.py the demo data. See docs/sandbox.md.
"""
