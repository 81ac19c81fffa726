"""leadloop connector plugin: Salesforce (REST API, OAuth 2.0)."""
