"""The demo database: a fictional school's register, bookings, records, plans, activities and
requests, built deterministically (``data.build``; ``scripts/build_sample.py`` writes sample.db).

Everything goes in through the store's own functions, so the demo data obeys the same rules as
what an adviser types. Never imported by the app itself, only by ``gatsby-tui --demo`` when the
shipped copy is missing, the build script, the benchmarks and the tests.
"""
