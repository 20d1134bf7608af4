"""Border levies and transaction fees per entry, SES status, SES self-checks.

Independent of the origin engine; shares its CLI, dated-law habits (TOML with a ``reference``
for every dated value, ``origin.law.Window``/``LawNotEncoded``), citations and workbook reader.

* :func:`levies.calculator.compute` — one trigger document: which levy (Goods Management
  Levies Order 2025, cls 7–14, from 1 April 2026) or transaction fee (regs 13A, 24A, 28A, 29A,
  before then), rate, GST, total, who pays, due date — every step cited.
* :func:`levies.batch.compute_file` — a CSV, Excel or JSON file; every row accounted for.
* :func:`levies.threshold.duty_threshold` — reg 70's $1,000 duty threshold.
* :mod:`levies.profiles`, :mod:`levies.ses`, :mod:`levies.seals` — exporter SES status, the
  Exporter Minimum Standards self-check, the seal register check.
* :mod:`levies.cli` — ``origin levy``, ``levy-rates``, ``duty-threshold``, ``ses``.
"""
