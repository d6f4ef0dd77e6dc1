from contextvars import ContextVar

# The current request's id, read by the audit trail; empty in tasks and commands.
request_id: ContextVar[str] = ContextVar("request_id", default="")
