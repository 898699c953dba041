"""Gunicorn reads ./gunicorn.conf.py from its working directory (the Dockerfile's /app).

The access log leaves out query strings and referrers: searches carry an applicant's IIN, name
or phone (``/applications/applicants/?q=…``). Gunicorn's own handlers mask the rest like the
app's logs do (``core.log_filters``): an IIN in a path, a phone in an error.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from core.log_filters import MaskPersonalData

# remote address, time, method, path without the query string, protocol, status, bytes, seconds
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s'


class MaskedLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(MaskPersonalData())


logger_class = MaskedLogger
