"""leadloop connector plugin: Microsoft Dynamics 365 / Dataverse (Web API)."""
