"""Helpers the tests share: receivers on 127.0.0.1 (:mod:`kit.receivers`: an HTTP
receiver for webhooks, an SMTP inbox) and a clock a test sets (:mod:`kit.clock`).

A test module imports them as it imports ``fuzz_world``: with the ``tests`` folder on
``sys.path``::

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from kit.clock import Clock
"""
