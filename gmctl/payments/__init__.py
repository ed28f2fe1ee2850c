"""The payments desk: the ledger, refunds, gateway reconciliation and the cron sweeps (issue 12).

Modules, one responsibility each (rules and queries: they take a Session or Connection, return
values and raise gmctl errors; no Typer, no printing):

- `statuses`: the ledger's statuses and each gateway's status words mapped onto them;
- `lookup`: a payment by id or reference, and its row lock (SELECT ... FOR UPDATE);
- `listing`: `payments list` (filters, keyset paging);
- `detail`: `payments show` (gateway_response summarised: a card is brand and last four only);
- `summary`: totals by Lagos day, week or month;
- `refunds`: refund, refund-done, refund-failed (idempotency keys, the row lock, notifications);
- `layouts` / `exportfile`: the gateways' export layouts and the streaming, validating reader;
- `reconcile` / `apply`: matching an export against the ledger in SQL, and --apply;
- `expire`: the expire-pending cron sweep;
- `methods`: stored payment methods, masked, and set-default.
"""
