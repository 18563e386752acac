"""Writes bench/postgres-floor's pgbench scripts: one transaction is a write group of 16 sales of
three items with the rows the transactions writer puts in (movements, journal entry and lines,
open item, transaction, three outbox events, idempotency record; then stock, valuations, entry
counter and balances once per group), the relay marking the events delivered, and the trace
consumer's rows (inbox records, trace transaction and movements).
Usage: postgres-floor.py RUN_ID DIRECTORY"""
import sys

run_id, directory = sys.argv[1], sys.argv[2]
main, trace = f"{run_id}_main", f"{run_id}_compliance"
GROUP = 16
T = "'01a218da-7ca0-7071-8f72-ed3e25de1a98'"
A = ["'01a218da-84bb-71d1-af23-4d00067160ff'", "'01a218da-8586-7295-a978-2e38d5d6a916'", "'01a218da-8656-7591-abc5-5a13eaba82fc'"]
B = ["'b1'", "'b2'", "'b3'"]
L = "'01a218da-838c-77d8-9db1-01c3c2f76b08'"
P = "'01a218da-83f9-70b7-98c9-0dcc89fef9be'"
DATE = "'2026-11-26'"
STAMP = "'2026-11-26T17:15:05Z'"


def sale(s):
    """The writer's statements for one sale, keyed by a number unique in the run."""
    n = f"(:base::bigint * 100 + {s})"
    tx, entry = f"'t' || {n}", f"'j' || {n}"
    out = [
        f"INSERT INTO {main}.stock_movements (tenant_id, transaction_id, line, article_id, batch_id, location_id, quantity_milli, value_minor, date) VALUES "
        + ", ".join(f"({T}, {tx}, {i}, {A[i]}, {B[i]}, {L}, -1500, -91, {DATE})" for i in range(3)),
        f"INSERT INTO {main}.journal_entries (tenant_id, id, fiscal_year, number, date, description, source, transaction_id, reverses_id, created_by, created_at) "
        f"VALUES ({T}, {entry}, 2026, {n}, {DATE}, 'sale', 'transaction', {tx}, NULL, {P}, {STAMP})",
        f"INSERT INTO {main}.journal_lines (tenant_id, entry_id, line, account, debit_minor, credit_minor, tax_code, partner_id) VALUES "
        + ", ".join(f"({T}, {entry}, {i}, '{account}', {debit}, {credit}, NULL, {P})"
                    for i, (account, debit, credit) in enumerate([("1400", 429, 0), ("3200", 273, 0), ("8300", 0, 402), ("1771", 0, 27), ("3980", 0, 273)])),
        f"INSERT INTO {main}.open_items (tenant_id, id, partner_id, kind, transaction_id, document_date, due_date, currency, amount_minor, paid_minor) "
        f"VALUES ({T}, {entry}, {P}, 'receivable', {tx}, {DATE}, '2026-12-26', 'EUR', 429, 0)",
        f"INSERT INTO {main}.transactions (tenant_id, id, kind, status, partner_id, date, reference, currency, net_minor, tax_minor, gross_minor, "
        f"journal_entry_id, reverses_id, reversed_by_id, rejections, document, created_by, created_at, posted_at) VALUES ({T}, {tx}, 'sale', 'posted', {P}, "
        f"{DATE}, NULL, 'EUR', 402, 27, 429, {entry}, NULL, NULL, NULL, repeat('d', 1100), {P}, {STAMP}, {STAMP}) "
        "ON CONFLICT (tenant_id, id) DO UPDATE SET status = excluded.status, document = excluded.document",
    ]
    out += [
        f"INSERT INTO {main}.outbox_events (id, type, source, tenant_id, subject, occurred_at_ms, trace_id, payload) VALUES ('{e}' || {n}, "
        f"'transactions.transaction.posted.v1', 'transactions', {T}, {tx}, 1795713305964, 'd19c790eefefc1894ac0527cabe1da7a', convert_to(repeat('p', {size}), 'UTF8'))"
        for e, size in (("a", 520), ("b", 230), ("c", 600))
    ]
    out.append(
        f"INSERT INTO {main}.idempotency_keys (scope, key, request_hash, status, headers, body, created_at) VALUES ({T}, 'k' || {n}, "
        f"'5d6e7eb7483307611fb2c4cb411ac0cac341e6a4c1cd03ea2d65cdff8762c69f', 201, '{{}}', convert_to(repeat('b', 1100), 'UTF8'), {STAMP})")
    return out


def group_rows():
    """What the writer writes once per group, before COMMIT."""
    return [
        f"INSERT INTO {main}.stock_levels (tenant_id, article_id, batch_id, location_id, quantity_milli) VALUES "
        + ", ".join(f"({T}, {A[i]}, {B[i]}, {L}, 899999997000)" for i in range(3))
        + " ON CONFLICT (tenant_id, article_id, batch_id, location_id) DO UPDATE SET quantity_milli = excluded.quantity_milli",
        f"INSERT INTO {main}.article_valuations (tenant_id, article_id, quantity_milli, value_minor) VALUES "
        + ", ".join(f"({T}, {A[i]}, 899999997000, 54899999817)" for i in range(3))
        + " ON CONFLICT (tenant_id, article_id) DO UPDATE SET quantity_milli = excluded.quantity_milli, value_minor = excluded.value_minor",
        f"INSERT INTO {main}.posting_sequences (tenant_id, fiscal_year, last_number) VALUES ({T}, 2026, 118) "
        "ON CONFLICT (tenant_id, fiscal_year) DO UPDATE SET last_number = excluded.last_number",
        f"INSERT INTO {main}.account_balances (tenant_id, fiscal_year, account, debit_minor, credit_minor) VALUES "
        + ", ".join(f"({T}, 2026, '{a}', 429, 0)" for a in ("1400", "1771", "3200", "3980", "8300"))
        + " ON CONFLICT (tenant_id, fiscal_year, account) DO UPDATE SET debit_minor = account_balances.debit_minor + excluded.debit_minor, "
        "credit_minor = account_balances.credit_minor + excluded.credit_minor",
    ]


def trace_rows():
    """The trace consumer's rows for the group's sales."""
    out = []
    for s in range(GROUP):
        n = f"(:base::bigint * 100 + {s})"
        tx = f"'t' || {n}"
        out.append(f"INSERT INTO {trace}.trace_transactions (tenant_id, id, kind, date, partner_id, reversed) VALUES ({T}, {tx}, 'sale', {DATE}, {P}, 0) "
                   "ON CONFLICT (tenant_id, id) DO UPDATE SET kind = excluded.kind")
        out.append(f"INSERT INTO {trace}.trace_movements (tenant_id, transaction_id, line, batch_id, article_id, quantity_milli, kind, date, partner_id, reversed) VALUES "
                   + ", ".join(f"({T}, {tx}, {i}, {B[i]}, {A[i]}, -1500, 'sale', {DATE}, {P}, 0)" for i in range(3))
                   + " ON CONFLICT (tenant_id, transaction_id, line) DO UPDATE SET kind = excluded.kind")
    return out


def inbox():
    return (f"INSERT INTO {trace}.processed_events (consumer, event_id, processed_at) VALUES "
            + ", ".join(f"('compliance.movements', '{e}' || (:base::bigint * 100 + {s}), {STAMP})" for s in range(GROUP) for e in "ac")
            + " ON CONFLICT DO NOTHING RETURNING event_id")


def reads():
    articles = ", ".join(A)
    return [
        "SELECT pg_advisory_xact_lock(287985651886724238)",
        f"SELECT status FROM {main}.fiscal_periods WHERE tenant_id = {T} AND year = 2026 AND month = 11",
        f"SELECT article_id, batch_id, location_id, quantity_milli FROM {main}.stock_levels WHERE tenant_id = {T} AND article_id IN ({articles})",
        f"SELECT article_id, quantity_milli, value_minor FROM {main}.article_valuations WHERE tenant_id = {T} AND article_id IN ({articles})",
        f"SELECT last_number FROM {main}.posting_sequences WHERE tenant_id = {T} AND fiscal_year = 2026",
    ]


def code_block(statements):
    return ["DO $w$BEGIN " + "; ".join(statements) + "; END$w$"]


def one_statement(statements):
    return ["WITH " + ", ".join(f"w{i} AS ({s})" for i, s in enumerate(statements[:-1])) + " " + statements[-1]]


def script(sales, group, trace, pipelined=False):
    lines = ["BEGIN"] + reads()
    for s in range(GROUP):
        lines += sales(sale(s))
    lines += group(group_rows()) + ["COMMIT"]
    # The relay marks the group's 48 events delivered (found by their IDs here; the relay
    # searches after the last event it marked before).
    events = ", ".join(f"'{e}' || (:base::bigint * 100 + {s})" for s in range(GROUP) for e in "abc")
    lines += [f"UPDATE {main}.outbox_events SET published_at = {STAMP} WHERE published_at IS NULL AND id IN ({events})"]
    lines += ["BEGIN", inbox()] + trace(trace_rows()) + ["COMMIT"]
    body = [line + ";" for line in lines]
    if pipelined:
        body = ["\\startpipeline"] + body + ["\\endpipeline"]
    return "\n".join(["\\set base random(1, 1000000000000)"] + body) + "\n"


same = lambda statements: statements
ways = {
    "code-block": script(code_block, code_block, code_block),
    "statements": script(same, same, same),
    "per-sale": script(one_statement, one_statement, one_statement),
    "pipelined": script(same, same, same, pipelined=True),
}
for way, text in ways.items():
    with open(f"{directory}/{way}.sql", "w") as f:
        f.write(text)
