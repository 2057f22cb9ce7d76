"""Batch charts for the energy pipeline: per-site PNGs and an offline index.html gallery.

pandas and matplotlib are imported only inside this package, so no Lambda on the data path pays
their import time or package size. The entry point is `viz.batch.generate_charts`; data comes from
any `viz.source.DataSource` (the deployed HTTP API, the query handler in-process, or memory).
"""
