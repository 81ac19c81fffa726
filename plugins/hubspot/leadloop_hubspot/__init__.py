"""leadloop connector plugin: HubSpot (CRM v3)."""
