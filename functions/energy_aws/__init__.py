"""AWS adapters shared by the Lambda handlers: S3 objects, DynamoDB writes and queries, settings.

Clients are created by the handler module (once per process) and passed in; nothing here creates one.
"""
