"""The REST side: one file per resource (``start``, ``rooms``, ``invites``, ``sip``,
``users``, ``events``, ``meta``), each with its handlers, views and endpoint declarations;
``api`` lists them all, ``declaration``/``access``/``http`` are the shared plumbing.

Imports go one way: ``tickets`` uses the server core in ``signaling`` (errors, auth, config,
registry, tokens, live state); ``signaling`` never imports ``tickets``, except the app
factory (``signaling.app``), which mounts the routes, and the document generators
(``signaling.docs``), which render the declarations.
"""
