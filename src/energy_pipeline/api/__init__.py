"""The query API run locally: its real Lambda handler called in-process, never a copy of it.

`in_process` imports the handler with its template environment, `http_bridge` turns an HTTP request into
the proxy event API Gateway would send and the handler's answer back, `server` is `serve`'s HTTP server,
and `openapi` prints the document generated from the routes (`make openapi`). None of it ships to Lambda.
"""
