"""The document generators: AsyncAPI for /signaling, OpenAPI for the REST routes (not on the
server's import path: the CLI and the tests import them)."""
