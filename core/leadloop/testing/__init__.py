"""The kit for plugin authors and leadloop's own tests: fake sources and standard checks."""
