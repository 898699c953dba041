"""The risk manager's pages under /risk/, one module a page group: the k1 dashboard and runs
(``k1``), the action plan (``plans``), the notice of return within the limit (``notices``), the
risk settings (``risk_settings``), the portfolio figures (``figures``) and the other MFO norms
(``norms``). The risk manager's home page queues are in ``prudential.queues``."""
