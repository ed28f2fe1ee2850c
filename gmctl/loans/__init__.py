"""The loan desk: the review queue, affordability, decisions with terms, schedules and key facts.

Modules, one responsibility each (no Typer, no printing; each takes a Session or Connection and
returns values or raises gmctl errors):

- settings: `[loans]` and `[loans.rates]` from config.toml, with their defaults;
- rates: "24" / "24%" -> Decimal("0.2400"), within the loan type's bounds;
- states: the application state machine (pure rules);
- schedule: the repayment schedule (declining-balance annuity or flat), due dates;
- apr: the APR (IRR of what is received against the instalments), nominal and effective;
- affordability: the debt-to-income ratio against the limit;
- columns: light Core views of the tables the read paths touch;
- queue: `loans list` (filters, keyset paging);
- detail: `loans show` (one application as a document);
- decisions: review, approve, reject, withdraw (row locks, request history, notification, audit);
- keyfacts: the Key Fact Statement, cooling-off in Lagos business days;
- expire: the cron job that expires idle applications, in batches;
- stats: counts, amounts, approval rate, days to a decision, DTI breaches.
"""
