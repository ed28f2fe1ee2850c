"""The baseline of bench/loans.py: a bare Python script doing what `gmctl loans quote` does.

The same arithmetic (Decimal annuity, half-even to the kobo, the last instalment clearing the
balance, due dates with relativedelta, the APR by Newton on the monthly IRR) and the same output
(a tsv schedule and a totals line on stderr, amounts as exact plain strings), with none of gmctl: no CLI, no config,
no checks. Usage: python bench/loans_quote_baseline.py AMOUNT RATE_PERCENT TERM
"""

import sys
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal, getcontext

from dateutil.relativedelta import relativedelta
from zoneinfo import ZoneInfo

getcontext().prec = 34
KOBO = Decimal("0.01")
amount, rate, term = Decimal(sys.argv[1]), Decimal(sys.argv[2]) / 100, int(sys.argv[3])
start = datetime.now(timezone.utc).astimezone(ZoneInfo("Africa/Lagos")).date()
r = rate / 12
payment = (amount * r / (1 - (1 + r) ** -term)).quantize(KOBO, ROUND_HALF_EVEN)
balance, rows = amount, []
for k in range(1, term + 1):
    interest = (balance * r).quantize(KOBO, ROUND_HALF_EVEN)
    principal = balance if k == term else payment - interest
    balance -= principal
    rows.append((k, start + relativedelta(months=k), interest + principal, interest, principal, balance))
out = ["number\tdue_date\tinstalment\tinterest\tprincipal\tbalance"]
out += ["\t".join(str(v) for v in row) for row in rows]
sys.stdout.write("\n".join(out) + "\n")
i = r
for _ in range(20):  # Newton on the monthly IRR
    v = 1 / (1 + i)
    pv = sum(row[2] * v ** row[0] for row in rows) - amount
    slope = -sum(row[0] * row[2] * v ** (row[0] + 1) for row in rows)
    i -= pv / slope
total_interest = sum(row[3] for row in rows)
sys.stderr.write(f"total interest {total_interest}; total repayable {sum(row[2] for row in rows)}; APR "
                 f"{(i * 1200).quantize(Decimal('0.1'))}% nominal\n")
assert isinstance(date.today(), date)
