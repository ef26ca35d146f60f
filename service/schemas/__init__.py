"""Request/response schemas, one module per resource (``ForecastRequest`` → ``ForecastResponse``)."""
