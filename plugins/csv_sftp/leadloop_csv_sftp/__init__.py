"""leadloop connector plugin: CSV/XLSX files over SFTP."""
