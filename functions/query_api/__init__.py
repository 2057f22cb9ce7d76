"""The query API Lambda: readings, anomalies, summaries and sites over API Gateway (REST, proxy)."""
