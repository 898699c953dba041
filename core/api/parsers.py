"""JSON bodies with exact numbers: a JSON number is read as ``Decimal``, never as a float.

Python's ``json`` turns ``1234567890123456.78`` into the float ``1234567890123456.8`` before
any serializer sees it, so an amount would be silently altered. Read as ``Decimal``, the number
reaches the field exactly as written, and a money field (``decimal_places=2``) refuses one with
more decimals or more digits than it holds, naming the field, instead of rounding it.
"""

from __future__ import annotations

import codecs
from decimal import Decimal

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json


class DecimalJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})  # DRF's: refuses bytes-to-bytes codecs
        try:
            decoded_stream = codecs.getreader(encoding)(stream)
            parse_constant = json.strict_constant if self.strict else None
            return json.load(decoded_stream, parse_constant=parse_constant, parse_float=Decimal)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
