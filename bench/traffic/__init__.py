"""The load benchmark's traffic: its users (``accounts``), the server and locust processes
(``processes``), the figures they give (``figures``) and the reads of one loan (``reads``)."""
