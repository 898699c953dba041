"""The benchmarks' data: a portfolio of loans copied in set-based (``portfolio.seed``, its
loans' lives computed by ``history`` from the terms in ``terms``, written by ``bulk``) and the
load benchmark's database with its loan of many payments (``load_data``)."""
