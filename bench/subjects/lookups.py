"""The 20,000x planner bug in miniature: 100 lookups by primary key, a dict against a scan."""


def by_key(table, rows, keys):
    return [table[key] for key in keys]


def by_scan(table, rows, keys):
    return [next(row for row in rows if row[0] == key) for key in keys]
