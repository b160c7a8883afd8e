"""The engines: one semantics, four back-ends, tested against one another.

* :mod:`.steps` — closures over the syntax tree: any data, every reason,
  every error; the reference the others are held to;
* :mod:`.generated` — straight-line Python generated from the tree, for
  formulas evaluated many times on plain data (falls back to the steps);
* :mod:`.columnar` — one polars expression per formula, for many entities
  and years at once (64-bit floating point);
* :mod:`.sql` — SQL text through sqlglot, for warehouses (DuckDB, PostgreSQL,
  Spark and others).

:mod:`kpi_formula.evaluator` chooses between the first two; the tests in
``tests/engines/`` hold all four to the same answers.
"""
